/**
 * Why something failed, in words; the reason's code (`DAMAGED_FILE`, for a report, a search or
 * `--json`) is in the tooltip rather than in front of the words.
 */
export function Reason({
  error,
  prefix = '',
}: {
  error: { code: string; message: string };
  prefix?: string;
}) {
  return (
    <span className="reason" title={`Reason code: ${error.code}`}>
      {prefix}
      {error.message}
    </span>
  );
}

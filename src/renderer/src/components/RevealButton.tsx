import { call, ApiCallError } from '../api/client.ts';
import { useSettings } from '../state/settings.ts';
import { useStatus } from '../state/status.ts';

/**
 * "Show in folder" in the desktop app (the system file manager, through the host). A browser
 * cannot open the server's file manager, so there the honest equivalent is the full path, copied.
 */
export function RevealButton(props: { docId: number; path: string; label?: string }) {
  const canReveal = useSettings((s) => s.capabilities?.reveal ?? false);
  const setNotice = useStatus((s) => s.setNotice);
  if (canReveal)
    return (
      <button
        type="button"
        className="btn small"
        title={props.path}
        onClick={() =>
          void call('files.reveal', { docId: props.docId, path: props.path }).catch((e: unknown) =>
            setNotice({ kind: 'error', text: e instanceof ApiCallError ? e.message : String(e) }),
          )
        }
      >
        {props.label ?? 'Show in folder'}
      </button>
    );
  return (
    <button
      type="button"
      className="btn small"
      title={`Copy ${props.path}`}
      onClick={() => void copyPath(props.path).then((ok) => setNotice(copiedNotice(props.path, ok)))}
    >
      Copy path
    </button>
  );
}

function copiedNotice(path: string, ok: boolean) {
  return ok
    ? { kind: 'info' as const, text: `Copied the path: ${path}` }
    : { kind: 'info' as const, text: `The file is at ${path}` };
}

/** Clipboard where the browser allows it (a secure context such as 127.0.0.1); false otherwise. */
async function copyPath(path: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(path);
    return true;
  } catch {
    return false;
  }
}

import { usePageView } from '../state/pageView.ts';

/**
 * The page as Tesseract read it, beside the original: after the photo was cut out and flattened,
 * specks removed, the page turned, straightened and scaled. Where a page reads badly, this shows
 * why (light not flattened, specks left, text too small) and which steps ran.
 */
export function PreparedPage({ pageNo }: { pageNo: number }) {
  const { prepared, preparedError } = usePageView();
  return (
    <figure className="page-figure prepared-figure" aria-label="What Tesseract read">
      <figcaption>What Tesseract read</figcaption>
      {preparedError ? (
        <p className="form-error">No prepared picture: {preparedError}</p>
      ) : !prepared ? (
        <p className="muted page-loading">Preparing the page as recognition did…</p>
      ) : (
        <>
          <div className="prepared-canvas">
            <img src={prepared.url} alt={`Page ${pageNo} as prepared for recognition`} draggable={false} />
          </div>
          <ul className="prepared-steps" aria-label="Preparation steps">
            {prepared.steps.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ul>
        </>
      )}
    </figure>
  );
}

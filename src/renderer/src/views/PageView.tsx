import { useEffect, useRef } from 'react';
import { Modal } from '../components/Modal.tsx';
import { RevealButton } from '../components/RevealButton.tsx';
import { boxPercent, confidenceBand, usePageView } from '../state/pageView.ts';
import { fileName } from './format.ts';
import { MarkedText } from './MarkedText.tsx';
import { PreparedPage } from './PreparedPage.tsx';
import './PageView.css';
import { Reason } from '../components/Reason.tsx';

/**
 * The page view: the page's picture with every recognised word boxed and coloured by confidence,
 * the text beside it; a click on a box shows that word and its confidence. Opened from a search,
 * the words it matches are highlighted on the picture and in the text, and the first is scrolled to.
 */
export function PageView() {
  const {
    target,
    detail,
    imageUrl,
    imageError,
    error,
    selected,
    highlight,
    hits,
    preparedShown,
    open,
    close,
    select,
    togglePrepared,
  } = usePageView();
  const canvas = useRef<HTMLDivElement>(null);
  // The first hit in view once both the words and the picture are there.
  useEffect(() => {
    if (hits.size === 0 || !imageUrl) return;
    canvas.current?.querySelector('.word-box.hit')?.scrollIntoView({ block: 'center' });
  }, [hits, imageUrl]);
  // Arrow keys flip pages.
  useEffect(() => {
    if (!detail) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'ArrowRight' && detail.pageNo < detail.pageCount) open(detail.docId, detail.pageNo + 1);
      if (e.key === 'ArrowLeft' && detail.pageNo > 1) open(detail.docId, detail.pageNo - 1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [detail, open]);
  if (!target) return null;
  const word = detail && selected !== null ? detail.words[selected] : null;
  const title = detail ? `${fileName(detail.path)} — page ${detail.pageNo} of ${detail.pageCount}` : 'Page';
  return (
    <Modal title={title} onClose={close} wide>
      <div className="page-view">
        <div className="page-toolbar">
          <button
            type="button"
            className="btn small"
            disabled={!detail || detail.pageNo <= 1}
            onClick={() => detail && open(detail.docId, detail.pageNo - 1)}
          >
            ‹ Previous
          </button>
          <button
            type="button"
            className="btn small"
            disabled={!detail || detail.pageNo >= detail.pageCount}
            onClick={() => detail && open(detail.docId, detail.pageNo + 1)}
          >
            Next ›
          </button>
          <button
            type="button"
            className="btn small"
            aria-pressed={preparedShown}
            disabled={detail?.source === 'text-layer'}
            title="Show the page as it was prepared for recognition (turned, straightened, flattened, cleaned), beside the original"
            onClick={togglePrepared}
          >
            What Tesseract read
          </button>
          {highlight && detail && (
            <span className="page-hits" role="status">
              {hits.size > 0
                ? `${hits.size} matching word${hits.size === 1 ? '' : 's'} highlighted`
                : detail.width > 0
                  ? 'No matching word on this page'
                  : 'Matches are marked in the text'}
            </span>
          )}
          {detail && (
            <span className="muted page-meta">
              {detail.source === 'text-layer'
                ? 'Text from the PDF’s own text layer (no recognition, no boxes)'
                : detail.meanConfidence !== null
                  ? `${detail.words.length} words · mean confidence ${Math.round(detail.meanConfidence)}%`
                  : ''}
            </span>
          )}
          <span className="legend" aria-label="Confidence colours">
            <span className="swatch high" /> 85%+ <span className="swatch medium" /> 60–85%{' '}
            <span className="swatch low" /> under 60%
          </span>
          {detail && <RevealButton docId={detail.docId} path={detail.path} />}
        </div>
        {error && <p className="form-error">{error}</p>}
        {detail?.error && (
          <p className="failure-reason page-error">
            <Reason error={detail.error} prefix="This page could not be recognised: " />
          </p>
        )}
        <div className={`page-panes${preparedShown ? ' with-prepared' : ''}`}>
          <div className="page-image-pane">
            <figure className="page-figure" aria-label="The page">
              {preparedShown && <figcaption>Original</figcaption>}
              {imageError ? (
                <p className="form-error">The page picture could not be made: {imageError}</p>
              ) : !imageUrl ? (
                <p className="muted page-loading">Rendering the page…</p>
              ) : (
                <div className="page-canvas" ref={canvas}>
                  <img src={imageUrl} alt={`Page ${target.pageNo}`} draggable={false} />
                  {detail &&
                    detail.width > 0 &&
                    detail.words.map((w, i) => {
                      const b = boxPercent(w, detail.width, detail.height);
                      return (
                        <button
                          key={i}
                          type="button"
                          className={`word-box ${confidenceBand(w.confidence)}${hits.has(i) ? ' hit' : ''}${i === selected ? ' selected' : ''}`}
                          style={{
                            left: `${b.left}%`,
                            top: `${b.top}%`,
                            width: `${b.width}%`,
                            height: `${b.height}%`,
                          }}
                          aria-label={`${w.text} ${Math.round(w.confidence)}%`}
                          data-testid="word-box"
                          data-hit={hits.has(i) ? 'true' : undefined}
                          onClick={() => select(i)}
                        />
                      );
                    })}
                </div>
              )}
            </figure>
            {preparedShown && <PreparedPage pageNo={target.pageNo} />}
          </div>
          <aside className="page-text-pane" aria-label="Recognised text">
            <div className="word-info" role="status">
              {word ? (
                <>
                  <span className={`swatch ${confidenceBand(word.confidence)}`} />
                  <strong className="word-text">{word.text}</strong>
                  <span>confidence {Math.round(word.confidence)}%</span>
                </>
              ) : (
                <span className="muted">Click a box on the page to see its word and confidence.</span>
              )}
            </div>
            <pre className="page-text">
              {detail ? (
                detail.text ? (
                  <MarkedText text={detail.text} query={highlight} />
                ) : (
                  '(no text on this page)'
                )
              ) : (
                ''
              )}
            </pre>
          </aside>
        </div>
      </div>
    </Modal>
  );
}

import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import { addFiles } from '../api/addFiles.ts';
import { isDesktop } from '../api/client.ts';
import { useQueue } from '../state/queue.ts';
import { useStatus } from '../state/status.ts';
import { useSettings } from '../state/settings.ts';
import { askWhereOutputsGo, mustAskWhereOutputsGo } from '../state/outputsQuestion.ts';
import { count } from '../../../shared/words.ts';

/** Reports what adding files did, in the notice bar. */
async function addAndReport(files: File[]): Promise<void> {
  const { setNotice } = useStatus.getState();
  if (files.length === 0) return;
  // In the desktop app a dropped file is read where it is, so its outputs would go beside it: the
  // first time, ask (a browser uploads into the engine's inbox instead, whose outputs stay there).
  if (isDesktop()) {
    const store = useSettings.getState();
    if (!store.settings) await store.load();
    if (mustAskWhereOutputsGo(useSettings.getState().settings) && !(await askWhereOutputsGo())) return;
  }
  setNotice({ kind: 'info', text: `Adding ${files.length} file${files.length === 1 ? '' : 's'}…` });
  const r = await addFiles(files);
  const failed = r.failed.map((f) => `${f.name}: ${f.reason}`).join('; ');
  setNotice(
    failed
      ? { kind: 'error', text: `Added ${r.added}. Not added: ${failed}` }
      : { kind: 'info', text: `Added ${count(r.added, 'file')}.` },
  );
  useQueue.getState().refresh();
}

/** The whole window accepts dropped files; an overlay says so while something is dragged over it. */
export function DropTarget({ children }: { children: ReactNode }) {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  const hasFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files');
  return (
    <div
      className="drop-target"
      onDragEnter={(e) => {
        if (!hasFiles(e)) return;
        depth.current += 1;
        setOver(true);
      }}
      onDragLeave={() => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDrop={(e) => {
        e.preventDefault();
        depth.current = 0;
        setOver(false);
        void addAndReport(Array.from(e.dataTransfer.files));
      }}
    >
      {children}
      {over && (
        <div className="drop-overlay" aria-hidden>
          <div>
            <p className="drop-title">Drop to add to the queue</p>
            <p className="muted">
              {isDesktop()
                ? 'Files and folders are read where they are.'
                : 'Files are uploaded to the Bulk OCR server.'}
            </p>
          </div>
        </div>
      )}
    </div>
  );
}

/** "Upload files…" for the browser, where the engine cannot see the user's own disk. */
export function UploadButton() {
  const input = useRef<HTMLInputElement>(null);
  if (isDesktop()) return null;
  return (
    <>
      <button type="button" className="btn" onClick={() => input.current?.click()}>
        ⇪ Upload files…
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label="Files to upload"
        accept=".pdf,.png,.jpg,.jpeg,.tif,.tiff,.bmp,.gif,.webp,.pbm,.pgm,.ppm,.pnm"
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          void addAndReport(files);
        }}
      />
    </>
  );
}

import { useState } from 'react';
import { call } from '../api/client.ts';
import { Modal } from '../components/Modal.tsx';
import { useOutputsQuestion } from '../state/outputsQuestion.ts';
import { isAbsolutePath, useSettings } from '../state/settings.ts';
import { nextToSourceNames } from './outputFormats.ts';
import { Radio } from './SettingsDialog.tsx';
import './OutputsQuestion.css';

type Choice = 'folder' | 'next-to-source';

/**
 * "Where should the outputs go?": a folder of their own (the structure of the added folders
 * mirrored) or next to each file. Nothing is preselected: the point is that the user decides.
 * The answer is saved in Settings (Destination), where it can be changed later.
 */
export function OutputsQuestion() {
  const { open, settle } = useOutputsQuestion();
  if (!open || !settle) return null;
  return <QuestionDialog settle={settle} />;
}

function QuestionDialog({ settle }: { settle: (answered: boolean) => void }) {
  const settings = useSettings((s) => s.settings);
  const canPick = useSettings((s) => s.capabilities?.pickFolder ?? false);
  const [choice, setChoice] = useState<Choice | null>(null);
  const [folder, setFolder] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const names = nextToSourceNames(settings?.formats ?? ['pdf', 'txt']);

  const problem =
    choice === null
      ? 'Choose where the outputs go.'
      : choice === 'folder' && !isAbsolutePath(folder)
        ? 'Type the full path of the output folder (it is created if missing).'
        : null;
  const submit = () => {
    if (problem) return setError(problem);
    setBusy(true);
    useSettings
      .getState()
      .save(choice === 'folder' ? { outDir: folder.trim() } : { outDir: null, outputPlaceChosen: true })
      .then(() => settle(true))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => setBusy(false));
  };
  return (
    <Modal
      title="Where should the outputs go?"
      onClose={() => settle(false)}
      footer={
        <>
          {error && (
            <span className="form-error" role="alert">
              {error}
            </span>
          )}
          <button type="button" className="btn ghost" onClick={() => settle(false)}>
            Cancel
          </button>
          <button type="button" className="btn primary" disabled={busy} onClick={submit}>
            Continue
          </button>
        </>
      }
    >
      <form
        className="outputs-question"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <p className="outputs-question-lead">
          For each scan, Bulk OCR writes a searchable copy and its text ({names}). The originals are never
          changed.
        </p>
        <div className="radio-list" role="radiogroup" aria-label="Where the outputs go">
          <Radio name="outputs-place" checked={choice === 'folder'} onChange={() => setChoice('folder')}>
            In a folder of their own
            <span className="outputs-question-why">
              The sub-folders of what you add are mirrored there. Best for a scanner share, an archive or a
              folder you cannot write to.
            </span>
          </Radio>
          {choice === 'folder' && (
            <div className="path-row">
              <input
                autoFocus
                aria-label="Output folder"
                placeholder="/home/you/Scans-OCR"
                value={folder}
                onChange={(e) => {
                  setFolder(e.target.value);
                  setError(null);
                }}
              />
              {canPick && (
                <button
                  type="button"
                  className="btn"
                  onClick={() =>
                    void call('files.pickFolder', { title: 'Output folder' }).then(
                      (p) => p && setFolder(p[0]),
                    )
                  }
                >
                  Choose…
                </button>
              )}
            </div>
          )}
          <Radio
            name="outputs-place"
            checked={choice === 'next-to-source'}
            onChange={() => {
              setChoice('next-to-source');
              setError(null);
            }}
          >
            Next to each file
            <span className="outputs-question-why">
              letter.pdf gets letter.ocr.pdf beside it, in the folder it is in: Bulk OCR writes into the
              folders you add.
            </span>
          </Radio>
        </div>
        <p className="hint">Remembered for the next folders; change it any time in Settings → Destination.</p>
      </form>
    </Modal>
  );
}

import {
  useEffect,
  useId,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import type { WatchFolderRow } from '../../../shared/model.ts';
import { ApiCallError, call } from '../api/client.ts';
import { useSettings } from '../state/settings.ts';
import { useStatus } from '../state/status.ts';
import { FORMAT_CHOICES, nextToSourceNames } from './outputFormats.ts';
import { useWatch } from '../state/watch.ts';
import {
  errorsFromApi,
  optionsFromValues,
  optionsPatch,
  valuesFromOptions,
  watchFormProblems,
  type WatchFormErrors,
  type WatchFormValues,
} from '../state/watchForm.ts';

/** The engine's refusal as form errors, field by field. */
function apiErrors(e: unknown): WatchFormErrors {
  if (e instanceof ApiCallError) return errorsFromApi(e.fields, e.message);
  return errorsFromApi(undefined, e instanceof Error ? e.message : String(e));
}

/**
 * Submit, Escape and errors shared by both forms: problems found here are shown before anything
 * is sent; the engine's are shown beside their fields; the first field in error takes the focus.
 */
function useWatchForm(onCancel: () => void) {
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<WatchFormErrors>({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    onCancel();
  };
  return { formRef, errors, setErrors, busy, setBusy, onKeyDown };
}

/** An error beside its field, announced when it appears. */
function FieldError({ id, text }: { id: string; text: string | undefined }) {
  if (!text) return null;
  return (
    <span id={id} className="watch-error" role="alert">
      {text}
    </span>
  );
}

/** `aria-invalid` and `aria-describedby` for a field with an error. */
const invalid = (text: string | undefined, id: string) =>
  text ? { 'aria-invalid': true as const, 'aria-describedby': id } : {};

/**
 * The options of a watched folder, as "Watch folder…" and Edit show them: where outputs go,
 * languages, formats, priority, subfolders, the originals, how new files are noticed.
 */
function WatchOptionsFields(props: {
  values: WatchFormValues;
  onChange: (patch: Partial<WatchFormValues>) => void;
  errors: WatchFormErrors;
  autoFocus?: boolean;
}) {
  const { values: v, onChange, errors } = props;
  const installed = useSettings((s) => s.languages);
  const canPick = useSettings((s) => s.capabilities?.pickFolder ?? false);
  const id = useId();
  const toggle = <T,>(list: T[], value: T, on: boolean): T[] =>
    on ? [...list.filter((x) => x !== value), value] : list.filter((x) => x !== value);
  return (
    <>
      <Row label="Outputs" error={<FieldError id={`${id}-out`} text={errors.outDir} />}>
        <input
          autoFocus={props.autoFocus}
          aria-label="Output folder"
          placeholder="next to each file (NAME.ocr.pdf, NAME.ocr.txt)"
          value={v.outDir}
          onChange={(e) => onChange({ outDir: e.target.value })}
          {...invalid(errors.outDir, `${id}-out`)}
        />
        {canPick && (
          <button
            type="button"
            className="btn small"
            onClick={() =>
              void call('files.pickFolder', { title: 'Output folder' }).then(
                (p) => p && onChange({ outDir: p[0] }),
              )
            }
          >
            Browse…
          </button>
        )}
      </Row>
      <p className="hint watch-outputs-where" data-testid="watch-outputs-where">
        {v.outDir.trim() === ''
          ? `Outputs go next to each file in the watched folder, as ${nextToSourceNames(v.formats)}.`
          : `Outputs go to ${v.outDir.trim()}, sub-folders mirrored.`}
      </p>
      {installed.length > 1 && (
        <Row label="Languages" error={<FieldError id={`${id}-lang`} text={errors.languages} />}>
          <div
            className="watch-langs"
            role="group"
            aria-label="Languages"
            {...invalid(errors.languages, `${id}-lang`)}
          >
            {installed.map((l) => (
              <label key={l.code}>
                <input
                  type="checkbox"
                  checked={v.languages.includes(l.code)}
                  onChange={(e) => onChange({ languages: toggle(v.languages, l.code, e.target.checked) })}
                />{' '}
                {l.name}
              </label>
            ))}
          </div>
        </Row>
      )}
      <Row label="Formats" error={<FieldError id={`${id}-fmt`} text={errors.formats} />}>
        <div
          className="watch-langs"
          role="group"
          aria-label="Output formats"
          {...invalid(errors.formats, `${id}-fmt`)}
        >
          {FORMAT_CHOICES.map(({ format: f, label, file }) => (
            <label key={f} title={`NAME${file}`}>
              <input
                type="checkbox"
                checked={v.formats.includes(f)}
                onChange={(e) => onChange({ formats: toggle(v.formats, f, e.target.checked) })}
              />{' '}
              {label}
            </label>
          ))}
        </div>
      </Row>
      <div className="watch-checks">
        <label>
          Priority{' '}
          <select
            aria-label="Priority"
            value={v.priority ?? ''}
            onChange={(e) => onChange({ priority: e.target.value === '' ? null : Number(e.target.value) })}
            {...invalid(errors.priority, `${id}-prio`)}
          >
            <option value="">by size (small files first)</option>
            {[9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map((p) => (
              <option key={p} value={p}>
                {p === 9 ? '9 (first)' : p === 0 ? '0 (last)' : String(p)}
              </option>
            ))}
          </select>
          <FieldError id={`${id}-prio`} text={errors.priority} />
        </label>
        <label>
          <input
            type="checkbox"
            checked={v.recursive}
            onChange={(e) => onChange({ recursive: e.target.checked })}
          />{' '}
          Include subfolders
        </label>
        <label>
          <input type="checkbox" checked={v.move} onChange={(e) => onChange({ move: e.target.checked })} />{' '}
          Move originals into processed/ and failed/ when done
        </label>
        <label>
          Detect new files{' '}
          <select
            aria-label="Detect new files"
            value={v.detection}
            onChange={(e) => onChange({ detection: e.target.value as WatchFormValues['detection'] })}
          >
            <option value="auto">automatically (polls network shares)</option>
            <option value="events">by file events</option>
            <option value="polling">by polling (network shares)</option>
          </select>
        </label>
      </div>
    </>
  );
}

function Row(props: { label: string; error: ReactNode; children: ReactNode }) {
  return (
    <div className="watch-row">
      <div className="watch-field">
        <span>{props.label}</span>
        {props.children}
      </div>
      {props.error}
    </div>
  );
}

/** "Watch folder…": the folder and its options (defaults from the settings). */
export function WatchAddForm({ onDone }: { onDone: () => void }) {
  const settings = useSettings((s) => s.settings);
  const canPick = useSettings((s) => s.capabilities?.pickFolder ?? false);
  const setNotice = useStatus((s) => s.setNotice);
  const [path, setPath] = useState('');
  const [values, setValues] = useState<WatchFormValues>({
    outDir: settings?.outDir ?? '',
    languages: settings?.languages ?? ['eng'],
    formats: settings?.formats ?? ['txt', 'pdf'],
    priority: null,
    recursive: true,
    move: false,
    detection: 'auto',
  });
  const { formRef, errors, setErrors, busy, setBusy, onKeyDown } = useWatchForm(onDone);
  const pathErrorId = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problems = watchFormProblems(values, path);
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    const ocr = { languages: values.languages, dpi: settings?.dpi ?? 300, mode: settings?.mode ?? 'auto' };
    useWatch
      .getState()
      .add({ path: path.trim(), options: optionsFromValues(values, ocr) })
      .then((row) => {
        setNotice({ kind: 'info', text: `Watching ${row.path}. Files already there are queued now.` });
        onDone();
      })
      .catch((err: unknown) => setErrors(apiErrors(err)))
      .finally(() => setBusy(false));
  };
  return (
    <form
      ref={formRef}
      className="watch-form"
      onSubmit={submit}
      onKeyDown={onKeyDown}
      aria-label="Watch a folder"
    >
      <Row label="Folder" error={<FieldError id={pathErrorId} text={errors.path} />}>
        <input
          autoFocus
          aria-label="Folder to watch"
          placeholder="/path/to/scanner/inbox"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          {...invalid(errors.path, pathErrorId)}
        />
        {canPick && (
          <button
            type="button"
            className="btn small"
            onClick={() =>
              void call('files.pickFolder', { title: 'Folder to watch' }).then((p) => p && setPath(p[0]))
            }
          >
            Browse…
          </button>
        )}
      </Row>
      <WatchOptionsFields
        values={values}
        onChange={(patch) => setValues({ ...values, ...patch })}
        errors={errors}
      />
      <div className="watch-form-actions">
        <FieldError id={`${pathErrorId}-form`} text={errors.options} />
        <button type="submit" className="btn primary small" disabled={busy}>
          Watch
        </button>
        <button type="button" className="btn ghost small" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * Edit: a watched folder's options. Save sends what changed (`watch.update`); the engine restarts
 * the folder's watcher with them at once. Escape or Cancel leaves them as they were.
 */
export function WatchEditForm({ folder, onDone }: { folder: WatchFolderRow; onDone: () => void }) {
  const setNotice = useStatus((s) => s.setNotice);
  const [values, setValues] = useState<WatchFormValues>(() => valuesFromOptions(folder.options));
  const { formRef, errors, setErrors, busy, setBusy, onKeyDown } = useWatchForm(onDone);
  const formErrorId = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problems = watchFormProblems(values);
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    const patch = optionsPatch(folder.options, optionsFromValues(values, folder.options.ocr));
    if (Object.keys(patch).length === 0) return onDone();
    setBusy(true);
    useWatch
      .getState()
      .update(folder.id, patch)
      .then((row) => {
        setNotice({ kind: 'info', text: `Saved. ${row.path} is watched with the new options now.` });
        onDone();
      })
      .catch((err: unknown) => setErrors(apiErrors(err)))
      .finally(() => setBusy(false));
  };
  return (
    <form
      ref={formRef}
      className="watch-form watch-edit"
      onSubmit={submit}
      onKeyDown={onKeyDown}
      aria-label={`Edit ${folder.path}`}
    >
      <WatchOptionsFields
        values={values}
        onChange={(patch) => setValues({ ...values, ...patch })}
        errors={errors}
        autoFocus
      />
      <div className="watch-form-actions">
        <FieldError id={formErrorId} text={errors.options} />
        <button type="submit" className="btn primary small" disabled={busy}>
          Save
        </button>
        <button type="button" className="btn ghost small" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

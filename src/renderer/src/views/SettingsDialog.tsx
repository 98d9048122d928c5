import { useEffect, useState, type ReactNode } from 'react';
import type { Settings } from '../../../shared/api.ts';
import { call } from '../api/client.ts';
import { Modal } from '../components/Modal.tsx';
import { settingsPatch, settingsProblem, useSettings } from '../state/settings.ts';
import { useStatus } from '../state/status.ts';
import { FORMAT_CHOICES, nextToSourceNames } from './outputFormats.ts';

const DPI_CHOICES = [150, 200, 300, 400, 600];

/** Settings: recognition, workers and the default output, stored in the engine's database. */
export function SettingsDialog() {
  const settings = useSettings((s) => s.settings);
  const setOpen = useSettings((s) => s.setOpen);
  // Fresh from the engine each time it opens (another window may have changed them).
  useEffect(() => {
    useSettings
      .getState()
      .load()
      .catch(() => {});
  }, []);
  if (!settings)
    return (
      <Modal title="Settings" onClose={() => setOpen(false)}>
        <p className="muted">Loading the settings…</p>
      </Modal>
    );
  return <SettingsForm saved={settings} />;
}

function SettingsForm({ saved: settings }: { saved: Settings }) {
  const { languages, capabilities, setOpen, save } = useSettings();
  const [form, setForm] = useState<Settings>(settings);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cores = capabilities?.cores ?? 1;
  const update = (patch: Partial<Settings>) => {
    setForm({ ...form, ...patch });
    setError(null);
  };
  const toggle = <T,>(list: T[], value: T, on: boolean): T[] =>
    on ? [...list.filter((v) => v !== value), value] : list.filter((v) => v !== value);
  const problem = settingsProblem(form);
  const patch = settingsPatch(settings, form);
  const submit = () => {
    if (problem) return setError(problem);
    setSaving(true);
    save(patch)
      .then((saved) => {
        setOpen(false);
        const workers =
          patch.workers !== undefined ? ` Workers: ${saved.workers ?? cores}, in effect now.` : '';
        useStatus.getState().setNotice({ kind: 'info', text: `Settings saved.${workers}` });
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => setSaving(false));
  };
  const pickOutDir = () =>
    void call('files.pickFolder', { title: 'Output folder' }).then((p) => p && update({ outDir: p[0] }));

  return (
    <Modal
      title="Settings"
      onClose={() => setOpen(false)}
      footer={
        <>
          {error && (
            <span className="form-error" role="alert">
              {error}
            </span>
          )}
          <button type="button" className="btn" onClick={() => setOpen(false)}>
            Cancel
          </button>
          <button
            type="button"
            className="btn primary"
            disabled={saving || Object.keys(patch).length === 0}
            onClick={submit}
          >
            Save
          </button>
        </>
      }
    >
      <p className="dialog-note">
        Recognition and output settings apply to documents added from now on; documents already in the queue
        keep theirs.
      </p>
      <Section title="Recognition">
        <Field
          label="Languages"
          hint="The language packs installed with Bulk OCR. Check every language your documents are written in."
        >
          <div className="check-grid" role="group" aria-label="Languages">
            {languages.map((l) => (
              <label key={l.code} className="check">
                <input
                  type="checkbox"
                  checked={form.languages.includes(l.code)}
                  onChange={(e) => update({ languages: toggle(form.languages, l.code, e.target.checked) })}
                />
                {l.name} <span className="muted">({l.code})</span>
              </label>
            ))}
          </div>
        </Field>
        <Field label="OCR mode">
          <div className="radio-list" role="radiogroup" aria-label="OCR mode">
            <Radio name="mode" checked={form.mode === 'auto'} onChange={() => update({ mode: 'auto' })}>
              Automatic{' '}
              <span className="muted">— keep a page’s own text (born-digital PDFs); recognise the rest</span>
            </Radio>
            <Radio name="mode" checked={form.mode === 'force'} onChange={() => update({ mode: 'force' })}>
              Recognise every page <span className="muted">— also pages that already have text</span>
            </Radio>
          </div>
        </Field>
        <Field label="Resolution" hint="PDF pages are rendered at this resolution for recognition.">
          <select
            aria-label="Resolution (DPI)"
            value={form.dpi}
            onChange={(e) => update({ dpi: Number(e.target.value) })}
          >
            {[...new Set([...DPI_CHOICES, form.dpi])]
              .sort((a, b) => a - b)
              .map((d) => (
                <option key={d} value={d}>
                  {d} DPI{d === 300 ? ' (recommended)' : ''}
                </option>
              ))}
          </select>
        </Field>
      </Section>
      <Section title="Performance">
        {capabilities?.ocrEngine && (
          <Field
            label="OCR engine"
            hint="The system's Tesseract library is used where it is installed (about 1.4× faster per page); otherwise the WebAssembly build that ships with the app. Both read the same text."
          >
            <output aria-label="Recognition engine">{capabilities.ocrEngine}</output>
          </Field>
        )}
        <Field
          label="Workers"
          hint="OCR processes working in parallel (each takes a core and ~250 MB). A change applies at once: new workers start now, fewer workers finish their current page first."
        >
          <div className="inline">
            <label className="check">
              <input
                type="checkbox"
                checked={form.workers === null}
                onChange={(e) => update({ workers: e.target.checked ? null : cores })}
              />
              One per core ({cores})
            </label>
            <input
              type="number"
              aria-label="Number of workers"
              className="num"
              min={1}
              max={cores * 2}
              disabled={form.workers === null}
              value={form.workers ?? cores}
              onChange={(e) => update({ workers: Number(e.target.value) })}
            />
          </div>
        </Field>
        <Field
          label="Page limit"
          hint="A document with more pages than this is refused with a message before any page is recognised (10,000 unless changed). Applies at once to documents not yet opened."
        >
          <div className="inline">
            <input
              type="number"
              aria-label="Most pages per document"
              className="num wide"
              min={1}
              max={1_000_000}
              step={1}
              value={Number.isNaN(form.maxPages) ? '' : form.maxPages}
              onChange={(e) => update({ maxPages: e.target.value === '' ? NaN : Number(e.target.value) })}
            />
            <span className="muted">pages per document</span>
          </div>
        </Field>
        <Field
          label="Largest image"
          hint="An image file, or an image inside a PDF page, larger than this is refused with its size rather than decoded: a guard against files built to exhaust memory (150 unless changed). Raise it for large maps and plans; the same as --max-image-mpixels."
        >
          <div className="inline">
            <input
              type="number"
              aria-label="Largest image in megapixels"
              className="num wide"
              min={1}
              max={10_000}
              step={1}
              value={Number.isNaN(form.maxImageMpixels) ? '' : form.maxImageMpixels}
              onChange={(e) =>
                update({ maxImageMpixels: e.target.value === '' ? NaN : Number(e.target.value) })
              }
            />
            <span className="muted">megapixels</span>
          </div>
        </Field>
      </Section>
      <Section title="Cluster">
        <Field
          label="Worker nodes"
          hint="Other machines can OCR pages of this queue: install Redis on one machine, run “bulk-ocr worker --redis URL” on each helper, and give the same URL here. Documents and their recognised text cross the network; see docs/cluster.md. Applies at the next start of the app."
        >
          <div className="radio-list" role="radiogroup" aria-label="Worker nodes">
            <Radio
              name="cluster"
              checked={form.clusterRedis === null}
              onChange={() => update({ clusterRedis: null })}
            >
              This machine only
            </Radio>
            <Radio
              name="cluster"
              checked={form.clusterRedis !== null}
              onChange={() => update({ clusterRedis: form.clusterRedis ?? '' })}
            >
              Also hand pages to worker nodes through Redis
            </Radio>
            {form.clusterRedis !== null && (
              <input
                aria-label="Redis URL"
                placeholder="redis://:PASSWORD@ocr-server:6379"
                value={form.clusterRedis}
                onChange={(e) => update({ clusterRedis: e.target.value })}
              />
            )}
          </div>
        </Field>
      </Section>
      <Section title="Output">
        <Field label="Formats">
          <div className="inline" role="group" aria-label="Output formats">
            {FORMAT_CHOICES.map(({ format: f, label, file }) => (
              <label key={f} className="check" title={`NAME${file}`}>
                <input
                  type="checkbox"
                  checked={form.formats.includes(f)}
                  onChange={(e) => update({ formats: toggle(form.formats, f, e.target.checked) })}
                />
                {label}
              </label>
            ))}
          </div>
        </Field>
        <Field label="Destination">
          <div className="radio-list" role="radiogroup" aria-label="Destination">
            <Radio
              name="dest"
              checked={form.outDir === null}
              onChange={() => update({ outDir: null, outputPlaceChosen: true })}
            >
              Next to each file <span className="muted">— as {nextToSourceNames(form.formats)}</span>
            </Radio>
            <Radio
              name="dest"
              checked={form.outDir !== null}
              onChange={() => update({ outDir: form.outDir ?? '' })}
            >
              In a folder <span className="muted">— mirroring the structure of the folders you add</span>
            </Radio>
            {form.outDir !== null && (
              <div className="path-row">
                <input
                  aria-label="Output folder"
                  placeholder="/path/to/output"
                  value={form.outDir}
                  onChange={(e) => update({ outDir: e.target.value })}
                />
                {capabilities?.pickFolder && (
                  <button type="button" className="btn" onClick={pickOutDir}>
                    Choose…
                  </button>
                )}
              </div>
            )}
          </div>
        </Field>
        <Field label="When an output file exists">
          <div className="radio-list" role="radiogroup" aria-label="When an output file exists">
            <Radio name="exists" checked={!form.overwrite} onChange={() => update({ overwrite: false })}>
              Leave it, and list the document under “Needs attention”
            </Radio>
            <Radio name="exists" checked={form.overwrite} onChange={() => update({ overwrite: true })}>
              Replace it
            </Radio>
          </div>
        </Field>
      </Section>
    </Modal>
  );
}

function Section(props: { title: string; children: ReactNode }) {
  return (
    <section className="form-section" aria-label={props.title}>
      <h3>{props.title}</h3>
      {props.children}
    </section>
  );
}

function Field(props: { label: string; hint?: string; children: ReactNode }) {
  return (
    <div className="field">
      <div className="field-label">{props.label}</div>
      <div className="field-control">
        {props.children}
        {props.hint && <p className="hint">{props.hint}</p>}
      </div>
    </div>
  );
}

export function Radio(props: { name: string; checked: boolean; onChange: () => void; children: ReactNode }) {
  return (
    <label className="check">
      <input type="radio" name={props.name} checked={props.checked} onChange={props.onChange} />
      <span>{props.children}</span>
    </label>
  );
}

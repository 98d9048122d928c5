/**
 * What this installation can recognise with, for the front ends: the language packs, the
 * Tesseract builds and how the recognisers describe themselves. The worker owns these facts (it
 * loads the packs and the addon); front ends read them here, never from `worker/*`, so the one
 * arrow from the engine's side into the worker stays in one place.
 */
export { defaultLanguages, listInstalledLanguages, parseLanguages } from '../worker/languages.ts';
export { describeOcrEngine, TESSERACT_BACKENDS, type TesseractBackend } from '../worker/recognize.ts';
export { loadNativeAddon as nativeAddonState } from '../worker/nativeTesseract.ts';
export { DEFAULT_LIMITS } from '../worker/ocrTypes.ts';
export { installedLanguages } from './settings.ts';

/** Types of scripts/layering.js (a plain JavaScript module, so eslint.config.js can load it on any Node). */
export interface LayeringZone {
  target: string | string[];
  from: string | string[];
  except?: string[];
  message: string;
}
export declare const layeringZones: LayeringZone[];

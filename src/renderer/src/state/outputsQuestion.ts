/**
 * The first-run question "Where should the outputs go?": asked before the first folder is added
 * while outputs would go next to the originals and the user has not said so (Settings'
 * `outputPlaceChosen`), so nothing is written into a scanner share or an archive unasked.
 */
import { create } from 'zustand';
import type { Settings } from '../../../shared/api.ts';

interface OutputsQuestionStore {
  open: boolean;
  /** Settles the pending `askWhereOutputsGo`: true when answered, false when cancelled. */
  settle: ((answered: boolean) => void) | null;
}

export const useOutputsQuestion = create<OutputsQuestionStore>()(() => ({ open: false, settle: null }));

/** True when adding a folder now would write outputs next to the originals without the user having chosen that. */
export function mustAskWhereOutputsGo(settings: Settings | null): boolean {
  return settings !== null && settings.outDir === null && !settings.outputPlaceChosen;
}

/** Opens the question; resolves true once the choice is saved, false when the user cancels. */
export function askWhereOutputsGo(): Promise<boolean> {
  return new Promise((resolve) => {
    useOutputsQuestion.setState({
      open: true,
      settle: (answered) => {
        useOutputsQuestion.setState({ open: false, settle: null });
        resolve(answered);
      },
    });
  });
}

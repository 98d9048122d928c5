/**
 * One live status line for a long-running command (`bulk-ocr watch`): redrawn in place on a
 * terminal, with log lines printed above it; piped into a file, the log lines only, plus the
 * status when it changed, at most once a minute.
 */
export interface StatusLine {
  update(text: string): void;
  log(line: string): void;
  finish(): void;
}

export function createStatusLine(stream: NodeJS.WriteStream): StatusLine {
  if (stream.isTTY) {
    let shown = '';
    let latest = '';
    let lastDraw = 0;
    const clear = (): void => {
      if (shown) stream.write('\r\x1b[2K');
      shown = '';
    };
    const draw = (): void => {
      if (!latest) return;
      clear();
      shown = latest.slice(0, (stream.columns || 120) - 1);
      stream.write(shown);
      lastDraw = Date.now();
    };
    return {
      update(text) {
        latest = text;
        if (Date.now() - lastDraw >= 100) draw();
      },
      log(line) {
        clear();
        stream.write(line + '\n');
        draw();
      },
      finish() {
        clear();
      },
    };
  }
  let lastText = '';
  // The first status after a minute: the log lines say what happens meanwhile.
  let lastAt = Date.now();
  return {
    update(text) {
      if (text === lastText || Date.now() - lastAt < 60_000) return;
      lastText = text;
      lastAt = Date.now();
      stream.write(`status: ${text}\n`);
    },
    log(line) {
      stream.write(line + '\n');
    },
    finish() {},
  };
}

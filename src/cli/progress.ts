/** How far a long operation has come, on stderr so stdout stays clean for its result. */
export interface Progress {
  update(done: number): void;
  finish(): void;
}

const BAR_WIDTH = 30;

/** A redrawn bar on a terminal; otherwise a line at each tenth, for logs and CI. */
export function progressReporter(total: number, label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const percent = (done: number) => (total === 0 ? 100 : Math.floor((done / total) * 100));
  if (stream.isTTY) {
    let last = '';
    return {
      update(done) {
        const filled = Math.round((percent(done) / 100) * BAR_WIDTH);
        const line = `\r${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(percent(done)).padStart(3)}% ${done}/${total}`;
        if (line !== last) stream.write(line);
        last = line;
      },
      finish() { stream.write('\n'); },
    };
  }
  let reportedTenth = -1;
  return {
    update(done) {
      const tenth = Math.floor(percent(done) / 10);
      if (tenth === reportedTenth) return;
      reportedTenth = tenth;
      stream.write(`${label}: ${done}/${total} (${percent(done)}%)\n`);
    },
    finish() { /* the last update already said 100% */ },
  };
}

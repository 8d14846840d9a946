import { SingleBar } from 'cli-progress';
import type { StepEvent } from '../train/trainer';

/** Reports training steps: a live bar on a terminal, otherwise one plain line every `logEvery` steps. */
export interface StepReporter {
  step(event: StepEvent): void;
  /** Stops the bar (if any) so the next line prints cleanly. */
  pause(): void;
}

export function createStepReporter(options: { tty: boolean; logEvery: number; write: (line: string) => void }): StepReporter {
  return options.tty ? new BarReporter() : new LineReporter(options.logEvery, options.write);
}

class BarReporter implements StepReporter {
  private readonly bar = new SingleBar({
    format: 'epoch {epoch} |{bar}| step {value}/{total} | loss {loss} | {rate} img/s | ETA {eta_formatted}',
    barsize: 30,
    etaBuffer: 50,
    hideCursor: true,
    stream: process.stdout,
  });
  private running = false;

  step(event: StepEvent): void {
    const payload = { epoch: event.epoch, loss: event.loss.toFixed(4), rate: Math.round(event.imagesPerSecond) };
    if (!this.running) {
      this.bar.start(event.totalSteps, event.step, payload);
      this.running = true;
    } else {
      this.bar.update(event.step, payload);
    }
  }

  pause(): void {
    if (!this.running) return;
    this.bar.stop();
    this.running = false;
  }
}

class LineReporter implements StepReporter {
  private readonly started = performance.now();

  constructor(private readonly logEvery: number, private readonly write: (line: string) => void) {}

  step(event: StepEvent): void {
    if (event.step % this.logEvery !== 0 && event.step !== event.totalSteps) return;
    const elapsed = (performance.now() - this.started) / 1000;
    const eta = (elapsed / event.step) * (event.totalSteps - event.step);
    this.write(
      `step ${event.step}/${event.totalSteps} | epoch ${event.epoch} | loss ${event.loss.toFixed(4)} | ` +
        `${Math.round(event.imagesPerSecond)} img/s | ETA ${formatSeconds(eta)}`,
    );
  }

  pause(): void {}
}

/** Formats seconds as "1m05s" or "42s". */
export function formatSeconds(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return minutes > 0 ? `${minutes}m${String(rest).padStart(2, '0')}s` : `${rest}s`;
}

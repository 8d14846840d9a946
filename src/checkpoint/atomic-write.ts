import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Writes `chunks` to `file` so that readers see either the previous file or the complete new one.
 *
 * The temporary file sits in the same folder because rename is only atomic within one file system.
 * It is fsynced so its data is on disk before the rename makes it visible. After the rename, the
 * folder is fsynced so that the rename itself survives a crash. On any failure the temporary file is
 * removed, the error is rethrown, and a previous `file` is left untouched.
 */
export function writeFileAtomic(file: string, chunks: readonly Uint8Array[]): void {
  const directory = path.dirname(path.resolve(file));
  const temporary = path.join(directory, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

  let fd: number | undefined;
  try {
    fd = fs.openSync(temporary, 'wx', 0o644);
    for (const chunk of chunks) writeFully(fd, chunk);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;

    fs.renameSync(temporary, file);
  } catch (error) {
    if (fd !== undefined) closeQuietly(fd);
    removeQuietly(temporary);
    throw error;
  }

  fsyncDirectory(directory);
}

function writeFully(fd: number, chunk: Uint8Array): void {
  // writeSync may write fewer bytes than asked for; loop until the chunk is out.
  let written = 0;
  while (written < chunk.length) {
    written += fs.writeSync(fd, chunk, written, chunk.length - written);
  }
}

function fsyncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(directory, 'r');
    fs.fsyncSync(fd);
  } catch (cause) {
    // Windows cannot open or fsync a folder; the rename has happened, so the file is complete.
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw cause;
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // The original error matters more than a failed close.
  }
}

function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // Missing already (open failed) or not removable; the original error is rethrown either way.
  }
}

#!/usr/bin/env node
import { Command } from 'commander';
import { evalCommand } from './eval-command';
import { finalizeCommand } from './finalize-command';
import { packageVersion } from './report';
import { reproduceCommand } from './reproduce-command';
import { trainCommand } from './train-command';

/** Builds the `bntrain` command line. */
export function createProgram(): Command {
  return new Command('bntrain')
    .description('Train and evaluate batch-normalized networks with native SIMD kernels')
    .version(packageVersion())
    .addCommand(trainCommand())
    .addCommand(evalCommand())
    .addCommand(finalizeCommand())
    .addCommand(reproduceCommand());
}

if (require.main === module) {
  createProgram()
    .parseAsync(process.argv)
    .catch((error: Error) => {
      console.error(error.message.startsWith('bntrain') ? error.message : `bntrain: ${error.message}`);
      process.exitCode = process.exitCode || 1;
    });
}

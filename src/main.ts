// Entry point: hands argv to the CLI. Loading reflect-metadata first is required by @peculiar/x509.
import 'reflect-metadata';
import { runCli } from './cli/index.ts';

process.exitCode = await runCli(process.argv);

/**
 * The Linux tracker ports. TrackFilePort (src/vrrp/tracker-file.ts): asynchronous reads and writes, and change
 * notification by inotify (fs.watch) on the file's directory, as keepalived watches it, so that
 * a file created later, or replaced by a rename, is still followed. Also the process table for
 * vrrp_track_process (/proc, read asynchronously).
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { TrackFilePort } from '../../vrrp/tracker-file.js';
import type { ProcessEntry, ProcessTablePort } from '../../vrrp/tracker-process.js';

export class LinuxTrackFiles implements TrackFilePort {
  constructor(private readonly onError: (message: string) => void) {}

  async read(path: string): Promise<string | undefined> {
    try {
      return await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
  }

  async write(path: string, text: string): Promise<void> {
    await writeFile(path, text, { mode: 0o644 });
  }

  watch(path: string, onChange: () => void): () => void {
    const name = basename(path);
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file === null || file === name) onChange();
      });
      watcher.on('error', (e) => this.onError(`track_file ${path}: ${e.message}`));
    } catch (e) {
      this.onError(`track_file ${path}: cannot watch ${dirname(path)}: ${(e as Error).message}`);
    }
    return () => watcher?.close();
  }
}

/** The Linux ProcessTablePort: /proc/PID/comm and cmdline of every process, read asynchronously. */
export class LinuxProcessTable implements ProcessTablePort {
  async scan(): Promise<readonly ProcessEntry[]> {
    const pids = (await readdir('/proc')).filter((n) => /^[0-9]+$/.test(n));
    const entries = await Promise.all(pids.map((pid) => readEntry(pid)));
    return entries.filter((e): e is ProcessEntry => e !== undefined);
  }
}

async function readEntry(pid: string): Promise<ProcessEntry | undefined> {
  try {
    const [comm, cmdline] = await Promise.all([readFile(`/proc/${pid}/comm`, 'utf8'), readFile(`/proc/${pid}/cmdline`, 'utf8')]);
    const argv = cmdline.split('\0');
    if (argv.at(-1) === '') argv.pop();
    return { comm: comm.replace(/\n$/, ''), argv };
  } catch {
    return undefined; // the process ended while we read it
  }
}

/**
 * The Linux TrackFilePort (src/vrrp/tracker-file.ts): asynchronous reads and writes, and change
 * notification by inotify (fs.watch) on the file's directory, as keepalived watches it, so that
 * a file created later, or replaced by a rename, is still followed.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { TrackFilePort } from '../../vrrp/tracker-file.js';

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

/**
 * NftRunner's nft coprocess against a stand-in `nft` (a shell script speaking the same line
 * protocol, no root needed): batches answered through one long-lived process, an error reply is a
 * rejected batch, a coprocess that dies falls back to a one-shot run and is restarted, a large
 * batch goes one-shot, and close() ends the coprocess.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NftRunner } from '../../../src/os/linux/nft-runner.js';
import { MAX_SESSION_BATCH_BYTES } from '../../../src/os/linux/nft-session.js';
import { LinuxProcessRunner } from '../../../src/os/linux/process-runner.js';

/** -i: one reply per line (errors for lines containing "bad", exit on "die"); else one-shot. */
const FAKE_NFT = `#!/bin/sh
log="$(dirname "$0")/calls.log"
if [ "$2" = "-i" ]; then
  echo "session $$" >> "$log"
  while IFS= read -r line; do
    case "$line" in
      "list tables") echo '{"nftables": [{"metainfo": {}}]}' ;;
      *die*) exit 3 ;;
      *bad*) echo "internal:0:0-0: Error: bad batch" >&2 ;;
      *) : ;;
    esac
  done
  exit 0
fi
echo "oneshot" >> "$log"
case "$2" in *bad*) echo "Error: bad" >&2; exit 1 ;; esac
exit 0
`;

describe('NftRunner with its nft coprocess (stand-in nft)', () => {
  let dir: string;
  let nft: string;
  const calls = async (): Promise<string[]> => (await readFile(join(dir, 'calls.log'), 'utf8').catch(() => '')).split('\n').filter((l) => l !== '').map((l) => l.split(' ')[0] ?? '');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kts-nft-session-'));
    nft = join(dir, 'nft');
    await writeFile(nft, FAKE_NFT);
    await chmod(nft, 0o755);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('answers batches through one coprocess; an Error reply is a rejected batch', async () => {
    const runner = new NftRunner(new LinuxProcessRunner(), { nftPath: nft, timeoutMs: 5_000 });
    try {
      assert.deepEqual(await runner.run({ nftables: [{ add: { table: { name: 'ok1' } } }] }), { ok: true });
      const bad = await runner.run({ nftables: [{ add: { table: { name: 'bad' } } }] });
      assert.equal(bad.ok, false);
      assert.match(bad.error ?? '', /Error: bad batch/);
      assert.deepEqual(await runner.run({ nftables: [{ add: { table: { name: 'ok2' } } }] }), { ok: true });
      assert.deepEqual(await calls(), ['session'], 'three batches, one process');
    } finally {
      await runner.close();
    }
  });

  it('a coprocess that dies: that batch runs one-shot, the next one in a new coprocess', async () => {
    await rm(join(dir, 'calls.log'), { force: true });
    const runner = new NftRunner(new LinuxProcessRunner(), { nftPath: nft, timeoutMs: 5_000 });
    try {
      assert.deepEqual(await runner.run({ nftables: [{ add: { table: { name: 'die' } } }] }), { ok: true });
      assert.deepEqual(await runner.run({ nftables: [{ add: { table: { name: 'ok' } } }] }), { ok: true });
      assert.deepEqual(await calls(), ['session', 'oneshot', 'session']);
    } finally {
      await runner.close();
    }
  });

  it('a batch over the session limit runs one-shot', async () => {
    await rm(join(dir, 'calls.log'), { force: true });
    const runner = new NftRunner(new LinuxProcessRunner(), { nftPath: nft, timeoutMs: 5_000 });
    try {
      const big = { nftables: [{ add: { table: { name: 'x'.repeat(MAX_SESSION_BATCH_BYTES) } } }] };
      assert.deepEqual(await runner.run(big), { ok: true });
      assert.deepEqual(await calls(), ['oneshot']);
    } finally {
      await runner.close();
    }
  });
});

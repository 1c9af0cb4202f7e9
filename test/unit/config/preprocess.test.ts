/**
 * Preprocessor behaviour, each case checked against keepalived 2.2.7 (`keepalived -t`, where the
 * first token of a line shows up in "Unknown keyword '...'").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigErrorClass } from '../../../src/config/diagnostics.js';
import { braceExpand, preprocess, splitLine, stripComment } from '../../../src/config/preprocess/index.js';
import { FakeConfigEnvironment } from '../../support/config-fake-env.js';

const MAIN = '/etc/keepalived/keepalived.conf';

function run(text: string, files: Record<string, string> = {}, configId = 'node1') {
  const env = new FakeConfigEnvironment({ files: { [MAIN]: text, ...files } });
  return preprocess(MAIN, env, configId);
}

/** Each logical line as its tokens joined by spaces. */
function lines(text: string, files: Record<string, string> = {}, configId = 'node1'): string[] {
  return run(text, files, configId).lines.map((l) => l.tokens.join(' '));
}

describe('comments, quotes and braces', () => {
  it('strips # and ! comments outside double quotes and keeps \\# \\!', () => {
    assert.equal(stripComment('a b # c'), 'a b ');
    assert.equal(stripComment('a ! c'), 'a ');
    assert.equal(stripComment('"d#e"f'), '"d#e"f');
    assert.equal(stripComment('g\\#h'), 'g#h');
    assert.equal(stripComment("'a#b'c"), "'a");
  });

  it('removes double quotes; a quoted string is a token of its own; single quotes are plain', () => {
    // keepalived 2.2.7: `yy"a b"` -> Unknown keyword 'yy'; `"p q"r` -> Unknown keyword 'p q'
    assert.deepEqual(splitLine('x abcd" efg "h y').pieces.map((p) => p.tokens), [['x', 'abcd', ' efg ', 'h', 'y']]);
    assert.deepEqual(splitLine('"p q"r').pieces[0]?.tokens, ['p q', 'r']);
    assert.deepEqual(splitLine('x "abc').pieces[0]?.tokens, ['x']);
    assert.deepEqual(splitLine("'p q'r").pieces[0]?.tokens, ["'p", "q'r"]);
    assert.deepEqual(splitLine('"x\\ty"').pieces[0]?.tokens, ['x\\ty']);
    assert.deepEqual(splitLine('a ""').pieces[0]?.tokens, ['a', '']);
  });

  it('reads \\" inside quotes as a quote character', () => {
    assert.deepEqual(splitLine('s "/root/stop 3 \\"1 1\\" 4" x').pieces[0]?.tokens, ['s', '/root/stop 3 "1 1" 4', 'x']);
  });

  it('later passes read \\# as a comment (they read the unescaped copy)', () => {
    const r = run('vrrp_instance VI_\\#1 {\nzz_\\#a b\n');
    assert.deepEqual(r.lines.map((l) => l.tokens.join(' ')), ['vrrp_instance VI_#1', '{', 'zz_#a b']);
    assert.deepEqual(r.later.lines.map((l) => l.tokens.join(' ')), ['vrrp_instance VI_', 'zz_']);
  });

  it('splits a line at every brace outside quotes', () => {
    assert.deepEqual(lines('zz4 { zz5 } zz6\nvirtual_ipaddress { 192.0.2.1 }\n"br{ace" {\n'), [
      'zz4', '{', 'zz5', '}', 'zz6', 'virtual_ipaddress', '{', '192.0.2.1', '}', 'br{ace', '{',
    ]);
  });

  it('reports an unterminated quote in every pass; braces inside it do not count', () => {
    const r = run('vrrp_instance "unterminated {\n}\n');
    assert.deepEqual(r.events.map((e) => [e.message, e.passes]), [
      [`Unterminated quote 'vrrp_instance "unterminated {'`, 'all'],
      [`Unmatched quote: 'vrrp_instance "unterminated {'`, 'all'],
    ]);
    // the unterminated quoted token (and the brace in it) is dropped
    assert.deepEqual(r.lines.map((l) => l.tokens), [['vrrp_instance'], ['}']]);
  });

  it('distinguishes unterminated quotes (\\" escapes) from an odd number of quote characters', () => {
    const messages = (t: string) => run(`${t}\n`).events.map((e) => e.message.split(' ')[0]);
    assert.deepEqual(messages('x "abc'), ['Unterminated', 'Unmatched']);
    assert.deepEqual(messages('x a\\"bc'), ['Unmatched']);
    assert.deepEqual(messages('x "a\\"'), ['Unterminated']);
    assert.deepEqual(messages('x "a" "b" c'), []);
  });

  it('gives every line the span of its file and 1-based line', () => {
    const r = run('a\n\n  # c\nb { c }\n');
    assert.deepEqual(r.lines.map((l) => l.span.line), [1, 4, 4, 4, 4]);
    assert.ok(r.lines.every((l) => l.span.file === MAIN));
  });
});

describe('over-long lines', () => {
  it('reads them in 1023-byte chunks numbered as keepalived 2.2.7 does in each pass', () => {
    // keepalived -t on this text: first pass lines 1,1,1,1,1,2,3; later passes 1,1,2,3,4,6,7.
    const r = run(`zz\n${'a'.repeat(4097)} b\nyy\n`);
    assert.deepEqual(r.lines.map((l) => l.span.line), [1, 1, 1, 1, 1, 2, 3]);
    assert.deepEqual(r.lines.map((l) => l.tokens[0]?.length), [2, 1023, 1023, 1023, 1023, 5, 2]);
    assert.deepEqual(r.later.lines.map((l) => l.span.line), [1, 1, 2, 3, 4, 6, 7]);
  });
});

describe('@id conditional lines', () => {
  it('keeps @id lines for our config id and @^id lines for others', () => {
    assert.deepEqual(lines('@node1 c1\n@^node1 c2\n@other c3\n@^other c4\n  @node1 c5\n'), ['c1', 'c4', 'c5']);
  });

  it('applies to definitions too', () => {
    assert.deepEqual(lines('@other $W=w1\n$W\n@node1 $V=v1\n$V\n'), ['$W', 'v1']);
  });
});

describe('$NAME parameters', () => {
  it('expands $NAME before blank, comma or end, and ${NAME} anywhere; unknown names stay', () => {
    const text = '$X=x1 x2\n$X\n${X}y\n$Xz\n$Y\n$T=3\na$T,x\nb$T/24\n$E=\nw$E\n   $Z = 3\n';
    assert.deepEqual(lines(text), ['x1 x2', 'x1 x2y', '$Xz', '$Y', 'a3,x', 'b$T/24', 'w', '$Z = 3']);
  });

  it('leaves an undefined ${NAME} literal, braces included', () => {
    assert.deepEqual(lines('${Y}q\n'), ['$', '{', 'Y', '}', 'q']);
  });

  it('expands a nested reference ${${N}} by expanding the name first', () => {
    assert.deepEqual(lines('$X=a\n$N=X\nww${${N}}\nvv$$X\n$M=Q\nuu${${M}}\n'), ['wwa', 'vv$a', 'uu$', '{', 'Q', '}']);
  });

  it('expands lazily and recursively at use time', () => {
    assert.deepEqual(lines('$B1=$B2 $B2\n$B2=b\nl${B1}\n'), ['lb b']);
  });

  it('replays multi-line definitions; comment and blank lines do not end them', () => {
    assert.deepEqual(lines('$D= \\\n d1 \\\n# d2 \\\n d3 \\\n   \\\n d4\n$D\nafter\n'), ['d1', 'd3', 'd4', 'after']);
  });

  it('expands built-ins', () => {
    const env = new FakeConfigEnvironment({ files: { [MAIN]: 'a${_RANDOM 5 5}\nd$_PWD\nf${_INSTANCE}\nh${_HASH}i\nk${_BANG}\nx${_ENV HOME}\n' } });
    const got = preprocess(MAIN, env, 'node1').lines.map((l) => l.tokens.join(' '));
    // ${_HASH}/${_BANG} produce comment characters that then end the line (observed in 2.2.7).
    assert.deepEqual(got.slice(0, 5), ['a5', 'd/etc/keepalived', 'fnode1', 'h', 'k']);
    assert.equal(got[5], 'x$');
  });

  it('stops a self-referential definition with an error instead of looping', () => {
    const r = run('$IF=$IF\n$IF\n$A=${B}\n$B=${A}\nx${A}\nok\n');
    assert.deepEqual(r.lines.map((l) => l.tokens.join(' ')), ['ok']);
    assert.equal(r.events.length, 2);
    assert.match(r.events[0]?.message ?? '', /refers to itself/);
  });

  it('bounds exponential growth', () => {
    const defs = Array.from({ length: 30 }, (_, i) => `$P${i}=$P${i + 1} $P${i + 1}`).join('\n');
    const r = run(`${defs}\n$P30=x\n$P0\n`);
    assert.equal(r.lines.length, 0);
    assert.match(r.events[0]?.message ?? '', /too long/);
  });
});

describe('~SEQ and ~LST', () => {
  it('repeats the rest of the line', () => {
    assert.deepEqual(lines('~SEQ(i,1,2,5) s$i\n~SEQ(i,3) t${i}\n~SEQx(j,9,1,11) u$j\n~LST(k,a,b) v$k\n'), [
      's1', 's3', 's5', 't1', 't2', 't3', 'u9', 'ua', 'ub', 'va', 'vb',
    ]);
  });

  it('counts down without a step when start > end', () => {
    assert.deepEqual(lines('~SEQ(i,3,1) zz$i\n~SEQ(i,3,-1,1) yy$i\n'), ['zz3', 'zz2', 'zz1', 'yy3', 'yy2', 'yy1']);
  });

  it('allows blanks around the parentheses and arguments', () => {
    assert.deepEqual(lines('~SEQ ( IF , 0 , 1 ) ~SEQ ( ID , 1  , 2 \t\t) x${IF}.$ID\n'), ['x0.1', 'x0.2', 'x1.1', 'x1.2']);
  });

  it('handles tuples, nesting (left is outer) and parameters in the head', () => {
    assert.deepEqual(lines('~LST({p,q},{1,2},{3,4}) w$p$q\n~SEQ(a,1,2) ~LST(b,x,y) z${a}${b}\n$S=2\n~SEQ(i,1,$S) s$i\n'), [
      'w$p2', 'w$p4', 'z1x', 'z1y', 'z2x', 'z2y', 's1', 's2',
    ]);
  });

  it('after a brace, replays the rest of the line with the last binding (2.2.7 quirk)', () => {
    assert.deepEqual(lines('x { ~SEQ(i,1,2) w$i }\n'), ['x', '{', 'w2', '}', 'w2', '}']);
  });

  it('expands a multi-line value per repetition', () => {
    const text = '$RS= \\\nreal_server 192.0.2.$H 80 { \\\n weight 1 \\\n}\n~SEQ(H,1,2) $RS\n';
    assert.deepEqual(lines(text), [
      'real_server 192.0.2.1 80', '{', 'weight 1', '}', 'real_server 192.0.2.2 80', '{', 'weight 1', '}',
    ]);
  });

  it("reports bad sequences with keepalived's messages, in every pass", () => {
    const r = run('~SEQ(i,1,0,3) a$i\n~SEQ(i,1,x,3) b$i\n~SEQ(i,1,2 c$i\n~LST(k) f$k\n');
    assert.deepEqual(r.events.map((e) => `${e.span.line} ${e.message.split(' \'')[0]} ${e.passes}`), [
      '1 Invalid ~SEQ values all',
      '1 Invalid ~SEQ specification all',
      '2 Invalid ~SEQ definition all',
      '2 Invalid ~SEQ specification all',
      '3 ~SEQ parameter strings too long all',
      '3 Invalid ~SEQ specification all',
      '4 Invalid ~LST specification all',
    ]);
    assert.equal(r.lines.length, 0);
  });

  it('refuses runaway sequences', () => {
    const r = run('~SEQ(i,1,1,100000000) x\n');
    assert.equal(r.lines.length, 0);
    assert.match(r.events[0]?.message ?? '', /too long/);
  });
});

describe('include', () => {
  it('expands braces left to right', () => {
    assert.deepEqual(braceExpand('a{b,c{d,e}}f'), ['abf', 'acdf', 'acef']);
    assert.deepEqual(braceExpand('plain'), ['plain']);
  });

  it('reads globbed files relative to the including file, named as the pattern gives them', () => {
    const r = run('include sub/*.conf\nlast\n', {
      '/etc/keepalived/sub/b.conf': 'bee\n',
      '/etc/keepalived/sub/a.conf': 'include ../other.inc\n',
      '/etc/keepalived/other.inc': 'oh\n',
    });
    assert.deepEqual(r.lines.map((l) => `${l.span.file}:${l.span.line} ${l.tokens.join(' ')}`), [
      '../other.inc:1 oh', 'sub/b.conf:1 bee', `${MAIN}:2 last`,
    ]);
    assert.deepEqual(r.files, [MAIN, 'sub/a.conf', '../other.inc', 'sub/b.conf']);
  });

  it('reports missing files as keepalived does per include variant', () => {
    const files = { '/etc/keepalived/sub/x.conf': 'zz_x\n' };
    assert.deepEqual(run('include nothere*.conf\n', files).events, []);
    assert.equal(run('includer nothere.conf\n', files).events[0]?.message, "Config files missing 'nothere.conf'.");
    assert.equal(run('includer nothere.conf\n', files).stopAfterFirstPass, undefined);
    // printed, but keepalived still exits 0: these messages do not count
    assert.equal(run('include nothere.conf\n', files).events[0]?.cls, ConfigErrorClass.Note);
    assert.equal(run('includem nothere.conf\n', files).stopAfterFirstPass, 6);
    assert.equal(run('includem nothere*.conf\n', files).events.length, 0);
    const b = run('includeb sub/{x,y}.conf\n', files);
    assert.equal(b.events[0]?.message, 'Some config files missing: "sub/{x,y}.conf".');
    assert.equal(b.stopAfterFirstPass, 6);
    const w = run('includew sub/*.nope\n', files);
    assert.equal(w.events[0]?.message, "No config files matched 'sub/*.nope'.");
    assert.equal(w.stopAfterFirstPass, 6);
    const plain = run('include sub/{x,y}.conf\n', files);
    assert.deepEqual(plain.lines.map((l) => l.tokens[0]), ['zz_x']);
  });

  it('stops recursive includes', () => {
    const r = run('include keepalived.conf\nx\n');
    assert.ok(r.lines.length > 0 && r.lines.length <= 40);
  });
});

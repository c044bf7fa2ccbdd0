/**
 * A set of line edits across the files of a configuration, applied through the torrc edit
 * API so that untouched lines stay byte-identical and every edit is read back.
 *
 * Edits name nodes of the files as loaded. Within a file they are applied from the bottom up,
 * so the offsets of the nodes still to edit never move. Only files of the torrc source that
 * were read as UTF-8 are edited: the defaults file belongs to the tor package (an upgrade
 * would overwrite it), and `exitkit apply` writes UTF-8.
 */
import path from 'node:path';
import {
  entriesOf,
  insertLines,
  parseTorrc,
  removeEntry,
  replaceEntry,
  TorrcError,
  type EntryNode,
  type LoadedFile,
  type NewComment,
  type NewEntry,
  type TorrcFile,
  type TorrcNode,
} from '../torrc/index.js';
import type { FileChange } from './context.js';
import { RemedyRefusal } from './errors.js';

/** A line to write: an entry or a comment. */
export type LineSpec = NewEntry | NewComment;

/** Where new lines go: before or after a node of a loaded file, or at the end of the file. */
export type Spot =
  | { readonly file: LoadedFile; readonly node: TorrcNode; readonly where: 'before' | 'after' }
  | { readonly file: LoadedFile; readonly where: 'end' };

interface NodeOps {
  offset: number;
  node: TorrcNode | undefined;
  before: LineSpec[];
  after: LineSpec[];
  replace: NewEntry | null | undefined;
  removeThrough: TorrcNode | undefined;
}

/** Collects edits, then produces the new text of each changed file. */
export class EditSet {
  private readonly files = new Map<string, { file: LoadedFile; ops: Map<number, NodeOps> }>();
  private readonly results: TorrcFile[] = [];

  /** The new files as the last `build` parsed them (to read the candidate without parsing them again). */
  get parsed(): readonly TorrcFile[] {
    return this.results;
  }

  /** Inserts lines at a spot. */
  insert(spot: Spot, lines: readonly LineSpec[]): this {
    if (lines.length === 0) return this;
    // A loop, not push(...lines): a block of many ranges is more lines than a call takes arguments.
    const list = spot.where === 'end' ? this.ops(spot.file, undefined).before : spot.where === 'before' ? this.ops(spot.file, spot.node).before : this.ops(spot.file, spot.node).after;
    for (const line of lines) list.push(line);
    return this;
  }

  /** Replaces an entry by one canonical line. */
  replace(file: LoadedFile, node: EntryNode, entry: NewEntry): this {
    this.ops(file, node).replace = entry;
    return this;
  }

  /** Removes an entry. */
  remove(file: LoadedFile, node: EntryNode): this {
    this.ops(file, node).replace = null;
    return this;
  }

  /** Removes every node from `first` through `last` (comments included). */
  removeRange(file: LoadedFile, first: TorrcNode, last: TorrcNode): this {
    this.ops(file, first).removeThrough = last;
    return this;
  }

  /** True when nothing was asked. */
  get empty(): boolean {
    return this.files.size === 0;
  }

  /** Applies the edits; returns one change per file whose text differs. */
  build(): FileChange[] {
    const changes: FileChange[] = [];
    this.results.length = 0;
    for (const { file, ops } of this.files.values()) {
      checkEditable(file);
      let text: TorrcFile = file.file;
      const ordered = [...ops.values()].sort((a, b) => b.offset - a.offset);
      try {
        for (const op of ordered) text = applyOps(text, op);
      } catch (error) {
        if (error instanceof TorrcError) {
          throw new RemedyRefusal('REMEDY_FILE_NOT_EDITABLE', `cannot edit ${file.path} safely: ${error.message}`, {
            location: error.location ?? { file: file.path, line: 1 },
            hint: error.hint ?? 'edit the file by hand',
            cause: error,
          });
        }
        throw error;
      }
      if (text.source !== file.file.source) {
        this.results.push(text);
        changes.push(Object.freeze({ path: file.path, source: file.source, before: file.file.source, after: text.source, beforeSha256: file.sha256 }));
      }
    }
    // One file read under two names (`torrc.d/a.conf` and `./torrc.d/a.conf`) cannot take two
    // different new contents.
    const names = new Map<string, string>();
    for (const change of changes) {
      const same = names.get(path.resolve(change.path));
      if (same !== undefined) {
        throw new RemedyRefusal('REMEDY_FILE_NOT_EDITABLE', `${change.path} and ${same} are the same file, read under two names, and both would change`, {
          location: { file: change.path, line: 1 },
          hint: 'include each file under one path only, then plan again',
        });
      }
      names.set(path.resolve(change.path), change.path);
    }
    return changes;
  }

  private ops(file: LoadedFile, node: TorrcNode | undefined): NodeOps {
    let entry = this.files.get(file.path);
    if (!entry) {
      entry = { file, ops: new Map() };
      this.files.set(file.path, entry);
    }
    const offset = node === undefined ? Number.POSITIVE_INFINITY : node.offset;
    let ops = entry.ops.get(offset);
    if (!ops) {
      ops = { offset, node, before: [], after: [], replace: undefined, removeThrough: undefined };
      entry.ops.set(offset, ops);
    }
    return ops;
  }
}

/** Refuses files exitkit must not edit (with why and what to do instead). */
export function checkEditable(file: LoadedFile): void {
  if (file.source === 'defaults') {
    throw new RemedyRefusal('REMEDY_FILE_NOT_EDITABLE', `${file.path} belongs to the defaults file, which exitkit does not edit (the tor package owns it and an upgrade would overwrite it)`, {
      location: { file: file.path, line: 1 },
      hint: 'move the lines into the torrc, then plan again',
    });
  }
  if (file.file.encoding !== 'utf8') {
    throw new RemedyRefusal('REMEDY_FILE_NOT_EDITABLE', `${file.path} is not valid UTF-8; exitkit writes UTF-8 and would change bytes it was not asked to change`, {
      location: { file: file.path, line: 1 },
      hint: 'convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8), then plan again',
    });
  }
}

function applyOps(file: TorrcFile, op: NodeOps): TorrcFile {
  if (op.node === undefined) return insertLines(file, op.before, 'end');
  const node = op.node;
  const notInFile = (): TorrcError =>
    new TorrcError('TORRC_EDIT_NOT_IN_FILE', `line ${node.firstLine} is not part of ${file.path} as given`, {
      location: { file: file.path, line: node.firstLine },
      hint: 'pass nodes of the same (unchanged) file',
    });
  if (!file.nodes.some((n) => n.offset === node.offset && n.raw === node.raw && n.kind === node.kind)) throw notInFile();
  const at = (): TorrcNode | undefined => file.nodes.find((n) => n.offset === op.offset);
  const need = (): TorrcNode => {
    const found = at();
    if (!found) throw notInFile();
    return found;
  };
  if (op.removeThrough !== undefined) file = removeNodes(file, need(), op.removeThrough);
  if (op.after.length > 0) file = insertLines(file, op.after, { after: need() });
  if (op.replace === null) file = removeEntry(file, need() as EntryNode);
  else if (op.replace !== undefined) file = replaceEntry(file, need() as EntryNode, op.replace);
  if (op.before.length > 0) {
    const next = at();
    file = insertLines(file, op.before, next ? { before: next } : 'end');
  }
  return file;
}

/** Removes the nodes `first`..`last` of a file and checks that every other entry reads as before. */
function removeNodes(file: TorrcFile, first: TorrcNode, last: TorrcNode): TorrcFile {
  const start = file.nodes.indexOf(first);
  const end = file.nodes.findIndex((n) => n.offset === last.offset && n.raw === last.raw);
  if (start < 0 || end < start) {
    throw new TorrcError('TORRC_EDIT_NOT_IN_FILE', `lines ${first.firstLine}-${last.lastLine} are not part of ${file.path} as given`, {
      location: { file: file.path, line: first.firstLine },
    });
  }
  const endNode = file.nodes[end] as TorrcNode;
  const source = file.source.slice(0, first.offset) + file.source.slice(endNode.offset + endNode.raw.length);
  const result = parseTorrc(source, file.path, { encoding: file.encoding });
  const keys = (nodes: readonly TorrcNode[]): string[] =>
    nodes.filter((n): n is EntryNode => n.kind === 'entry').map((n) => `${n.rawKey}\u0000${n.value}`);
  const expected = [...keys(file.nodes.slice(0, start)), ...keys(file.nodes.slice(end + 1))];
  const actual = entriesOf(result).map((n) => `${n.rawKey}\u0000${n.value}`);
  if (result.errors.length > 0 || actual.length !== expected.length || actual.some((k, i) => k !== expected[i])) {
    throw new TorrcError('TORRC_EDIT_UNSAFE_VALUE', `removing lines ${first.firstLine}-${endNode.lastLine} of ${file.path} would change how Tor reads other lines`, {
      location: { file: file.path, line: first.firstLine },
      hint: 'edit the file by hand; exitkit refuses edits it cannot keep contained',
    });
  }
  return result;
}

/**
 * The torrc layer: read a torrc file set exactly as Tor 0.4.9.11 does, keep every byte of
 * it, and edit it one line at a time.
 */
export { parseTorrc, printTorrc, entriesOf, entryAt, nodeAt, entryLocation } from './cst.js';
export type { TorrcFile, TorrcNode, EntryNode, BlankNode, CommentNode, IgnoredNode, NodeBase, ParseOptions } from './cst.js';
export { loadConfig, loadConfigSync, decodeTorrcBytes, encodeTorrcText, MAX_INCLUDE_LEVEL } from './config.js';
export type {
  LoadConfigOptions,
  LoadedConfig,
  LoadedEntry,
  LoadedFile,
  LoadedInclude,
  LoadStop,
  ResolvedLoadOptions,
} from './config.js';
export { insertEntry, insertComment, insertLines, replaceEntry, removeEntry, formatEntry, formatComment } from './edit.js';
export type { NewEntry, NewComment, InsertPosition } from './edit.js';
export { flattenConfig, flatEntry, quoteValue } from './flatten.js';
export type { FlattenOptions } from './flatten.js';
export { TorrcError } from './errors.js';
export type { TorrcErrorCode } from './errors.js';
export { nodeFs, memoryFs, overlayFs } from './fs.js';
export type { TorrcFs, MemoryTree } from './fs.js';
export { expandInclude } from './include.js';
export type { IncludeExpansion, IncludeFailure } from './include.js';
export { TOR_OPTIONS, TOR_OPTION_ALIASES, findOption, lookupOption } from './options.js';
export type { TorOption, OptionType, OptionLookup, OptionAlias } from './options.js';
export { checkTypedValue, isLegalNickname, parseUnits } from './values.js';

/**
 * Reading `plan.json` for apply: the document is checked field by field before anything is
 * trusted, including that every planned content still has the SHA-256 the plan recorded
 * (a plan edited by hand after review is refused).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlanDocument, PlanProbe, PlannedFileChange } from '../types.js';
import { ApplyError } from './errors.js';
import { isCode, sha256Hex } from './files.js';

/** The plan file of a plan folder. */
export function planPath(dir: string): string {
  return path.join(dir, 'plan.json');
}

/** Reads and validates `DIR/plan.json`. */
export async function readPlanDocument(dir: string): Promise<PlanDocument> {
  const file = planPath(dir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ApplyError(
      'APPLY_PLAN_UNREADABLE',
      isCode(cause, 'ENOENT') ? `${dir} holds no plan.json` : `cannot read ${file}`,
      { input: file, cause, hint: 'pass the folder written by `exitkit plan ... --out DIR`' },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ApplyError('APPLY_PLAN_UNREADABLE', `${file} is not valid JSON`, {
      input: file,
      cause,
      hint: 'plan.json must be the file exitkit wrote; make the plan again',
    });
  }
  return validatePlanDocument(value, file);
}

/** Checks that `value` is a complete, self-consistent plan document. `file` is used in messages. */
export function validatePlanDocument(value: unknown, file: string): PlanDocument {
  const bad = (field: string, what: string, hint?: string): ApplyError =>
    new ApplyError('APPLY_PLAN_INVALID', `${file}: ${field} ${what}`, {
      input: field,
      hint: hint ?? 'plan.json must be the file exitkit wrote; make the plan again',
    });
  if (!isObject(value)) throw bad('the document', 'is not a JSON object');
  if (value.format !== 'exitkit-plan/1') {
    throw bad('format', `is ${JSON.stringify(value.format)}, expected "exitkit-plan/1"`, 'this exitkit reads exitkit-plan/1 plans only');
  }
  const text = (field: string): string => {
    const v = value[field];
    if (typeof v !== 'string') throw bad(field, 'must be a string');
    return v;
  };
  const absolute = (field: string, v: unknown): string => {
    if (typeof v !== 'string' || !path.isAbsolute(v) || path.normalize(v) !== v || v.includes('\0')) {
      throw bad(field, `must be a normalised absolute path, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const sha = (field: string, v: unknown): string => {
    if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) {
      throw bad(field, `must be a lowercase hex SHA-256, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const id = text('id');
  const createdAt = text('createdAt');
  const summary = text('summary');
  const torrc = absolute('torrc', value.torrc);
  const defaultsTorrc = value.defaultsTorrc === null ? null : absolute('defaultsTorrc', value.defaultsTorrc);
  const cwd = absolute('cwd', value.cwd);
  if (typeof value.needsRestart !== 'boolean') throw bad('needsRestart', 'must be true or false');
  const restartReason = value.restartReason;
  if (restartReason !== undefined && typeof restartReason !== 'string') throw bad('restartReason', 'must be a string');

  if (!Array.isArray(value.readFiles)) throw bad('readFiles', 'must be an array');
  const readFiles = value.readFiles.map((entry: unknown, i) => {
    if (!isObject(entry)) throw bad(`readFiles[${i}]`, 'must be an object');
    return { path: absolute(`readFiles[${i}].path`, entry.path), sha256: sha(`readFiles[${i}].sha256`, entry.sha256) };
  });
  const readHashes = new Map(readFiles.map((f) => [f.path, f.sha256]));

  if (!Array.isArray(value.changes)) throw bad('changes', 'must be an array');
  const seen = new Set<string>();
  const changes = value.changes.map((entry: unknown, i): PlannedFileChange => {
    const where = `changes[${i}]`;
    if (!isObject(entry)) throw bad(where, 'must be an object');
    const filePath = absolute(`${where}.path`, entry.path);
    if (seen.has(filePath)) throw bad(`${where}.path`, `names ${filePath} a second time`);
    seen.add(filePath);
    const beforeSha256 = entry.beforeSha256 === null ? null : sha(`${where}.beforeSha256`, entry.beforeSha256);
    const afterSha256 = sha(`${where}.afterSha256`, entry.afterSha256);
    if (typeof entry.after !== 'string') throw bad(`${where}.after`, 'must be a string');
    const actual = sha256Hex(entry.after);
    if (actual !== afterSha256) {
      throw bad(
        `${where}.after`,
        `has SHA-256 ${actual} but the plan recorded ${afterSha256}: the planned content was edited after the plan was made`,
        'review and make the plan again instead of editing plan.json',
      );
    }
    const read = readHashes.get(filePath);
    if (read !== undefined && read !== beforeSha256) {
      throw bad(`${where}.beforeSha256`, `is ${beforeSha256} but readFiles records ${read} for ${filePath}`);
    }
    return { path: filePath, beforeSha256, afterSha256, after: entry.after };
  });

  if (!Array.isArray(value.probes)) throw bad('probes', 'must be an array');
  const probes = value.probes.map((entry: unknown, i): PlanProbe => {
    const where = `probes[${i}]`;
    if (!isObject(entry)) throw bad(where, 'must be an object');
    if (typeof entry.address !== 'string' || entry.address === '') throw bad(`${where}.address`, 'must be an address');
    if (typeof entry.port !== 'number' || !Number.isInteger(entry.port) || entry.port < 1 || entry.port > 65535) {
      throw bad(`${where}.port`, `must be a port 1-65535, got ${JSON.stringify(entry.port)}`);
    }
    const verdict = (v: unknown, field: string): 'accept' | 'reject' => {
      if (v !== 'accept' && v !== 'reject') throw bad(`${where}.${field}`, 'must be "accept" or "reject"');
      return v;
    };
    return { address: entry.address, port: entry.port, before: verdict(entry.before, 'before'), after: verdict(entry.after, 'after') };
  });

  if (!isObject(value.semanticChange) || !Array.isArray(value.semanticChange.changes)) {
    throw bad('semanticChange', 'must be an object with a changes array');
  }
  if (!isObject(value.remedy) || typeof value.remedy.kind !== 'string') throw bad('remedy', 'must name its kind');

  return {
    format: 'exitkit-plan/1',
    id,
    createdAt,
    torrc,
    defaultsTorrc,
    cwd,
    readFiles,
    changes,
    needsRestart: value.needsRestart,
    ...(restartReason === undefined ? {} : { restartReason }),
    probes,
    semanticChange: value.semanticChange as unknown as PlanDocument['semanticChange'],
    remedy: value.remedy as PlanDocument['remedy'],
    summary,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import type { ComponentDescriptor, RenderedFile } from '../render/types.js';

export interface DesiredUser {
  name: string;
  uid: number;
  group: string;
  gid: number;
  home: string;
}

export interface DesiredDirectory {
  path: string;
  owner: string;
  group: string;
  mode: number;
}

/**
 * Owner and mode of a file that a package makes and keeps (PostgreSQL's cluster
 * configuration, written by pg_createcluster): apply changes neither its content nor
 * whether it exists.
 */
export interface DesiredPermissions {
  path: string;
  owner: string;
  group: string;
  mode: number;
}

/** Everything apply converges a host to; assembled purely from the spec. */
export interface DesiredState {
  packages: readonly string[];
  users: readonly DesiredUser[];
  directories: readonly DesiredDirectory[];
  permissions: readonly DesiredPermissions[];
  files: readonly RenderedFile[];
  components: readonly ComponentDescriptor[];
}

/** What apply found on the host (gathered by apply/observe.ts). */
export interface ObservedState {
  installedPackages: ReadonlySet<string>;
  users: ReadonlySet<string>;
  directories: ReadonlyMap<string, { owner: string; group: string; mode: number }>;
  /** Owner and mode of the files in `permissions` that exist. */
  permissions: ReadonlyMap<string, { owner: string; group: string; mode: number }>;
  /**
   * Live files by path: content with secrets as they are on disk; the desired files, and
   * those the last apply managed that still exist.
   */
  files: ReadonlyMap<string, { content: string; owner: string; group: string; mode: number }>;
  /** Units that are enabled (a package's postinst enables its unit even under policy-rc.d). */
  enabledUnits: ReadonlySet<string>;
  /**
   * Units running (or, for a oneshot, that have run). A unit counts as converged only when
   * it is enabled and active; a failed apply leaves exactly the active ones running.
   */
  activeUnits: ReadonlySet<string>;
  /**
   * The files the last complete apply managed (path → component), from its manifest;
   * undefined for an apply of some files only (vpn peer add), which removes nothing.
   */
  managed?: ReadonlyMap<string, string>;
}

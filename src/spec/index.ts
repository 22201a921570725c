export { hostContextFromSpec } from './host-context.js';
export { formatPath, parseClusterFile } from './parse.js';
export { clusterSchema, type Spec } from './schema.js';
export {
  clusterDeclarations,
  findDeclaration,
  refuseIfDeclared,
  type ClusterDeclarations,
  type DeclaredKind,
} from './declared.js';
export { aliasLoopThrough, formatAliasLoop, withAlias, type AliasGraph } from './alias-loops.js';

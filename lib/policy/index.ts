// Policy pack: re-exports only.
export * from './types';
export { StackView, resourceView, referencedAddresses, SUPPRESSIONS_KEY, type ResourceView } from './stack-view';
export { findSecrets, decodeUserData, type SecretMatch } from './secrets';
export * from './rules/aws-compute';
export * from './rules/aws-network';
export * from './rules/route53';
export * from './rules/cloudflare';
export * from './packs';
export * from './engine';
export * from './suppressions';
export * from './aspect';
export * from './report';
export * from './rules-table';

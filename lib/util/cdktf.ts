/*
 * The one module through which this package uses CDK for Terraform. cdktf was archived upstream (2025-12-10); its
 * community fork CDK Terrain (`cdktn`) keeps the same API, `cdktf.json`, `cdktf.out/`, logical ids and state, so
 * moving the library to it is this line (and the provider packages: see docs/migrating-to-cdk-terrain.md).
 */
export * from 'cdktf';

// Test code zips are built as the operator builds them, so their CodeSha256 can be predicted.
export { deterministicZip as zipArchive, codeSha256 } from '../../src/aws/lambda/deterministic-zip.ts';

/** The bundled mock AI platform: what tests, the demo and `avt mock` use. */
export { DEMO_BRANDS, type MockBrand } from './brands.ts';
export {
  type ExpectedCapture,
  type ExpectedCaptureOptions,
  type ExpectedCitation,
  expectedCapture,
  expectedStrippedUrl,
} from './expectedCapture.ts';
export { FAULT_KINDS, type FaultKind, type FaultRates, parseFaults } from './faults.ts';
export { FLAVOUR_NAMES, type FlavourName } from './flavour.ts';
export { FLAVOURS, flavourFor } from './flavours/index.ts';
export { extractReply } from './llm/extractReply.ts';
export {
  LLM_FAULT_KINDS,
  type LlmFaultKind,
  type LlmFaultRates,
  parseLlmFaults,
} from './llm/faults.ts';
export type { MockPlatformOptions } from './options.ts';
export type { Sampling } from './samples.ts';
export { type MockPlatform, startMockPlatform } from './server.ts';
export type { FlavourStats, LlmStats, RequestRecord } from './stats.ts';

export type { IngressConfig, IngressRule } from './ingress-document.js';
export { parseIngressConfig } from './ingress-document.js';
export type { RuleMatch } from './ingress-match.js';
export { matchHost, matchRule, punycodeHostname } from './ingress-match.js';
export type { ManagedRoute, MergeInput, MergeResult } from './ingress-merge.js';
export { mergeManagedRoutes } from './ingress-merge.js';
export type { ServiceKind } from './ingress-service.js';
export { serviceKind, serviceProblem } from './ingress-service.js';
export type { IngressProblem, PathRegex, ValidateOptions } from './ingress-validate.js';
export {
  compilePathRegex,
  ingressProblems,
  isCatchAll,
  isPathRegex,
  validateIngress,
} from './ingress-validate.js';
export type { ConfigFormat, DecodedOriginRequest, OriginRequestSettings } from './origin-request.js';
export { decodeOriginRequest } from './origin-request.js';

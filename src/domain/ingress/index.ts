export type { IngressConfig, IngressRule } from './ingress-document.js';
export { parseIngressConfig } from './ingress-document.js';
export type { RuleMatch } from './ingress-match.js';
export { matchHost, matchRule } from './ingress-match.js';
export type { ManagedRoute, MergeInput, MergeResult } from './ingress-merge.js';
export { mergeManagedRoutes } from './ingress-merge.js';
export { serviceProblem } from './ingress-service.js';
export type { IngressProblem } from './ingress-validate.js';
export { compilePathRegex, ingressProblems, isCatchAll, validateIngress } from './ingress-validate.js';

// Mixed precision: GradScaler (complete) and the autocast scope (needs native support, see autocast.ts).
export { GradScaler, type GradScalerOptions } from './grad-scaler.js';
export { autocast, isAvailable as autocastAvailable, type AutocastDtype, type AutocastOptions } from './autocast.js';

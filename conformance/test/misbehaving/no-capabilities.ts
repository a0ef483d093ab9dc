/** Misbehaving adapter 'no-capabilities' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('no-capabilities');

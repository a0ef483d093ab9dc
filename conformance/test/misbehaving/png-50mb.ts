/** Misbehaving adapter 'png-50mb' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('png-50mb');

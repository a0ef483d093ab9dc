/** Misbehaving adapter 'hang-operation' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('hang-operation');

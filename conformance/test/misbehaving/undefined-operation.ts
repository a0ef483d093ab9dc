/** Misbehaving adapter 'undefined-operation' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('undefined-operation');

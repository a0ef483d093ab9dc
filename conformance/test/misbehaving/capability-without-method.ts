/** Misbehaving adapter 'capability-without-method' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('capability-without-method');

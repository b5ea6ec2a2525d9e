#!/usr/bin/env node
// ringd: compiled when a fresh build exists, else from the TypeScript sources (bin/launch.js).
import { load } from './launch.js';

await load('agent/main');

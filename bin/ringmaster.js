#!/usr/bin/env node
// ringmaster: compiled when a fresh build exists, else from the TypeScript sources (bin/launch.js).
import { load } from './launch.js';

await load('controller/main');

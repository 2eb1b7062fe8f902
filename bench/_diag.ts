// TEMPORARY diagnostic (deleted after): single fan-out at a given scale.
import { fanoutOnce } from './reminderFanout.js';
const scale = Number(process.argv[2] ?? 20);
const units = Number(process.argv[3] ?? 5000);
const r = await fanoutOnce({ units, scale, seed: Number(process.argv[4] ?? 1) });
console.log(JSON.stringify({ scale, ...r, statuses: undefined }));

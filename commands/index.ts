import type { Command } from './shared/command.js';
import type { Flow } from './shared/flow.js';
import { chitieu } from './admin/chitieu.js';
import { donvi } from './admin/donvi.js';
import { suadonvi, suadonviFlow } from './admin/suadonvi.js';
import { themdonvi, themdonviFlow } from './admin/themdonvi.js';
import { ganhom } from './admin/ganhom.js';
import { nhatky } from './admin/nhatky.js';
import { phanquyen, thuquyen } from './admin/phanquyen.js';
import { themhan, themhanFlow, xoahan } from './admin/themhan.js';
import { trangthai } from './admin/trangthai.js';
import { xoanguoi, xoanguoiFlow } from './admin/xoanguoi.js';
import { baocao } from './baocao.js';
import { capnhat, capnhatFlow } from './capnhat.js';
import { dangky, dangkyFlow } from './dangky.js';
import { hanchot } from './hanchot.js';
import { huongdan } from './huongdan.js';
import { huy } from './huy.js';
import { LIFECYCLE_COMMANDS } from './lifecycle.js';
import { mohinh } from './mohinh.js';
import { lienket, lienketFlow } from './lienket.js';
import { quaylai } from './quaylai.js';
import { start } from './start.js';
import { thamgia } from './thamgia.js';
import { toi } from './toi.js';

/** Every command, in the order /huongdan lists them. */
export const COMMANDS: readonly Command[] = [
  huongdan,
  thamgia,
  toi,
  lienket,
  dangky,
  capnhat,
  mohinh,
  baocao,
  hanchot,
  ...LIFECYCLE_COMMANDS,
  donvi,
  themdonvi,
  suadonvi,
  ganhom,
  phanquyen,
  thuquyen,
  xoanguoi,
  chitieu,
  themhan,
  xoahan,
  nhatky,
  trangthai,
  huy,
  quaylai,
  start,
];

/** Every conversation flow, so a persisted conversation can resume after a restart. */
export const FLOWS: readonly Flow[] = [dangkyFlow, capnhatFlow, themdonviFlow, suadonviFlow, themhanFlow, lienketFlow, xoanguoiFlow];

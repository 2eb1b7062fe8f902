import type { Command } from './shared/command.js';
import type { Flow } from './shared/flow.js';
import { chitieu } from './admin/chitieu.js';
import { donvi } from './admin/donvi.js';
import { suadonvi, suadonviFlow } from './admin/suadonvi.js';
import { themdonvi, themdonviFlow } from './admin/themdonvi.js';
import { ganhom } from './admin/ganhom.js';
import { nhatky } from './admin/nhatky.js';
import { phanquyen, thuquyen } from './admin/phanquyen.js';
import { themhan, themhanFlow } from './admin/themhan.js';
import { xoahan, xoahanFlow } from './admin/xoahan.js';
import { trangthai } from './admin/trangthai.js';
import { xoanguoi, xoanguoiFlow } from './admin/xoanguoi.js';
import { baocao } from './baocao.js';
import { capnhat, capnhatFlow } from './capnhat.js';
import { dangky, dangkyFlow } from './dangky.js';
import { rutlai, rutlaiFlow } from './rutlai.js';
import { suamohinh, suamohinhFlow } from './suamohinh.js';
import { hanchot } from './hanchot.js';
import { huongdan } from './huongdan.js';
import { huy } from './huy.js';
import { hoantac } from './hoantac.js';
import { LIFECYCLE_COMMANDS, LIFECYCLE_FLOWS } from './lifecycle.js';
import { mohinh } from './mohinh.js';
import { lienket, lienketFlow } from './lienket.js';
import { quaylai } from './quaylai.js';
import { tieptuc } from './tieptuc.js';
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
  suamohinh,
  rutlai,
  capnhat,
  mohinh,
  baocao,
  hanchot,
  ...LIFECYCLE_COMMANDS,
  hoantac,
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
  tieptuc,
  start,
];

/** Every conversation flow, so a persisted conversation can resume after a restart. */
export const FLOWS: readonly Flow[] = [
  dangkyFlow,
  suamohinhFlow,
  rutlaiFlow,
  capnhatFlow,
  themdonviFlow,
  suadonviFlow,
  themhanFlow,
  lienketFlow,
  xoanguoiFlow,
  ...LIFECYCLE_FLOWS,
  xoahanFlow,
];

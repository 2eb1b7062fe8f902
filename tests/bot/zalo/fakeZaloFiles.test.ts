import { describe, expect, it } from 'vitest';
import type { ChatRef, Reply } from '../../../core/chat.js';
import { FileNotSentError } from '../../../bot/zalo/adapter.js';
import { BotBed, type BotBedOptions, botBedPerTest, settle, CHAU, GROUP_ID } from '../../../bench/fakes/zalo/botBed.js';
import type { FakeZalo } from '../../../bench/fakes/zalo/index.js';

/**
 * Issue 17 item 5 on the test bed: a file reply goes through zca-js 2.2.0's real upload, which
 * waits for Zalo's `file_done` control on the socket before it posts the file message. Whenever
 * that control comes (before the upload's HTTP answer, on a socket that is reopening, late, or
 * never), the group gets the file at most once, and a file that was not posted fails at once
 * instead of hanging. The bed's file timeout stays at main's 60 s: nothing here waits for it.
 */

const GROUP: ChatRef = { platform: 'zalo', id: GROUP_ID, kind: 'group' };
const XLSX = Buffer.from('PK\u0003\u0004 bao cao quy');
const REPORT: Reply = {
  text: '',
  files: [{ fileName: 'bao-cao-quy-1.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data: XLSX }],
};

const beds = botBedPerTest();

async function start(options: BotBedOptions = {}): Promise<{ bed: BotBed; zalo: FakeZalo }> {
  const bed = await beds.start(options);
  return { bed, zalo: bed.zalo };
}

const fileMessages = (zalo: FakeZalo) => zalo.sent.filter((s) => s.kind === 'file');

describe('item 5: files do not depend on when file_done comes', () => {
  it('file_done before the upload’s HTTP answer (zca-js drops it): the file is posted once, without waiting for a timeout', async () => {
    const { bed, zalo } = await start();
    zalo.fileDone('before');
    const sent = await bed.adapter.send(GROUP, REPORT);
    expect(zalo.uploads).toHaveLength(1);
    expect(zalo.uploads[0]).toMatchObject({ fileName: 'bao-cao-quy-1.xlsx', fileDoneSent: true });
    expect(fileMessages(zalo).map((s) => s.text)).toEqual(['bao-cao-quy-1.xlsx']);
    expect(sent.messageId).toBe(String(fileMessages(zalo)[0]!.msgId));
    expect(bed.logged('zalo: file_done came before the upload’s answer; handed over')).toHaveLength(1);
    expect(bed.logged('zalo send timed out')).toEqual([]);
  });

  it('a file_done lost while the socket reopens: the file is uploaded once more on the new socket and posted once; the lost one, sent late, posts nothing', async () => {
    const { bed, zalo } = await start({ fileDoneWaitMs: 50 });
    // The upload's file_done is due while the socket is down: it never reaches zca-js.
    zalo.fileDone('never');
    const sending = bed.adapter.send(GROUP, REPORT);
    await zalo.until(() => zalo.uploads[0]?.fileId, 'the first upload answered');
    bed.advance(60_000);
    await zalo.drop();
    await zalo.until(() => zalo.oldMessagesRequests.find((r) => r.connection === 2), 'the reopened socket');
    zalo.fileDone('after');
    const sent = await sending;
    expect(zalo.uploads).toHaveLength(2);
    expect(fileMessages(zalo)).toHaveLength(1);
    expect(sent.messageId).toBe(String(fileMessages(zalo)[0]!.msgId));
    expect(bed.logged('zalo: the upload’s file_done never came; uploading the file again')).toHaveLength(1);
    // Zalo's late file_done for the first upload wakes nothing: still one file in the group.
    expect(await zalo.releaseFileDone(zalo.uploads[0]!)).toBe(true);
    await zalo.connections[1]!.settle();
    await settle();
    expect(fileMessages(zalo)).toHaveLength(1);
    expect(zalo.logins).toBe(1);
  });

  it('file_done that never comes: after two uploads the send fails at once as "not sent" (no 60 s hang); late file_dones post nothing', async () => {
    const { bed, zalo } = await start({ fileDoneWaitMs: 50 });
    zalo.fileDone('never');
    const error = await bed.adapter.send(GROUP, REPORT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileNotSentError);
    expect((error as Error).message).toBe('zalo: file bao-cao-quy-1.xlsx was not posted');
    expect(zalo.uploads).toHaveLength(2);
    expect(fileMessages(zalo)).toEqual([]);
    for (const upload of zalo.uploads) expect(await zalo.releaseFileDone(upload)).toBe(true);
    await zalo.connections[0]!.settle();
    await settle();
    expect(fileMessages(zalo)).toEqual([]);
    expect(bed.logged('zalo send timed out')).toEqual([]);
    // The queue goes on: the next file, answered normally, is posted.
    zalo.fileDone('after');
    await bed.adapter.send(GROUP, REPORT);
    expect(fileMessages(zalo)).toHaveLength(1);
  });

  it('a send given up by the queue’s timeout before its file_done: "not sent", and the file_done that comes afterwards posts nothing', async () => {
    const { bed, zalo } = await start({ fileTimeoutMs: 50, fileDoneWaitMs: 60_000 });
    zalo.fileDone('never');
    const error = await bed.adapter.send(GROUP, REPORT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileNotSentError);
    expect(bed.logged('zalo send timed out')).toMatchObject([{ kind: 'file', timeoutMs: 50 }]);
    expect(await zalo.releaseFileDone(zalo.uploads[0]!)).toBe(true);
    await zalo.connections[0]!.settle();
    await settle();
    expect(zalo.uploads).toHaveLength(1);
    expect(fileMessages(zalo)).toEqual([]);
  });

  it('/baocao excel whose file_done never comes: the officer is told once that the file was not sent, and no file reaches the group', async () => {
    const { bed, zalo } = await start({ fileDoneWaitMs: 50 });
    zalo.fileDone('never');
    await zalo.deliverText(GROUP_ID, CHAU, '/baocao excel');
    // The workbook is made in a worker: seconds on a busy machine.
    await zalo.until(() => zalo.sent.find((s) => s.text.startsWith('Chưa gửi được tệp báo cáo')), 'the failure said', 15_000);
    await bed.adapter.idle();
    await bed.core.reports?.idle();
    await settle();
    expect(zalo.uploads.map((u) => u.fileName)).toEqual([expect.stringMatching(/\.xlsx$/), expect.stringMatching(/\.xlsx$/)]);
    expect(fileMessages(zalo)).toEqual([]);
    expect(zalo.sent.filter((s) => s.text.startsWith('Chưa gửi được tệp báo cáo'))).toHaveLength(1);
    expect(zalo.sent.filter((s) => s.text.startsWith('Xin lỗi'))).toEqual([]);
  });
});

/**
 * Documents classified under the Law on Protection of State Secrets (Luật Bảo vệ bí mật nhà nước
 * 2018: Tuyệt mật, Tối mật, Mật) must never pass through a chat platform or this bot's storage.
 * Said where people are told what the bot is for (/huongdan) and where they attach files (the file
 * step of /capnhat): the bot cannot tell a classified scan from any other.
 */
export const NO_STATE_SECRETS = 'Không gửi cho bot văn bản, tài liệu có đóng dấu Mật, Tối mật hoặc Tuyệt mật.';

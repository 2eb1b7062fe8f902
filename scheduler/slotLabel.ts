/** A slot kind as people read it: "before-3" → "nhắc trước 3 ngày". */
export function slotLabel(kind: string): string {
  const [name, n] = [kind.replace(/-\d+$/, ''), kind.match(/-(\d+)$/)?.[1]];
  switch (name) {
    case 'before':
      return `nhắc trước ${n} ngày`;
    case 'on-day':
      return 'nhắc đúng ngày hạn';
    case 'overdue':
      return `nhắc khi quá hạn ${n} ngày`;
    case 'escalation':
      return `báo lãnh đạo khi quá hạn ${n} ngày`;
    default:
      return kind;
  }
}

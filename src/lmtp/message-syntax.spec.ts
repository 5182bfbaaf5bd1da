import { findSyntaxProblem } from './message-syntax';

describe('findSyntaxProblem', () => {
  it('accepts a message with a header section and a From field', () => {
    expect(findSyntaxProblem(Buffer.from('From: a@b\r\nSubject: x\r\n folded\r\n\r\nbody'))).toBeUndefined();
    expect(findSyntaxProblem(Buffer.from('From: a@b\n\nbody with: colons\nand no headers'))).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['no header', 'hello world\r\n\r\nbody'],
    ['continuation first', ' From: a@b\r\n\r\n'],
    ['no From', 'Subject: x\r\n\r\nbody'],
    ['NUL bytes', 'From: a@b\r\n\r\nbo\u0000dy'],
    ['a bad header line', 'From: a@b\r\nnot a header\r\n\r\nbody'],
  ])('refuses %s', (_name, raw) => {
    expect(findSyntaxProblem(Buffer.from(raw, 'latin1'))).toEqual(expect.any(String));
  });
});

import { ChangeLog } from './change-log';

describe('ChangeLog', () => {
  const log = () => {
    const changes = new ChangeLog(100);
    changes.append({ seq: 1, id: 'a', kind: 'created', countsOnly: false });
    changes.append({ seq: 2, id: 'b', kind: 'created', countsOnly: false });
    changes.append({ seq: 4, id: 'a', kind: 'updated', countsOnly: true });
    changes.append({ seq: 5, id: 'b', kind: 'destroyed', countsOnly: false });
    changes.append({ seq: 6, id: 'c', kind: 'updated', countsOnly: false });
    return changes;
  };

  it('nets out created+updated as created and created+destroyed as nothing', () => {
    expect(log().changesSince(0, 6, 100)).toEqual({
      created: ['a'],
      updated: ['c'],
      destroyed: [],
      newSeq: 6,
      hasMoreChanges: false,
      onlyCountsUpdated: false,
    });
  });

  it('reports count-only updates', () => {
    expect(log().changesSince(2, 4, 100)).toMatchObject({
      updated: ['a'],
      destroyed: [],
      onlyCountsUpdated: true,
      newSeq: 4,
    });
  });

  it('cuts a window at maxChanges with a resumable intermediate state', () => {
    const changes = log();
    const first = changes.changesSince(0, 6, 1);
    expect(first).toMatchObject({ created: ['a'], hasMoreChanges: true, newSeq: 1 });
    const second = changes.changesSince(first.newSeq, 6, 1);
    expect(second).toMatchObject({ created: ['b'], hasMoreChanges: true });
  });

  it('refuses states from the future and states older than what it kept', () => {
    const small = new ChangeLog(2);
    for (let seq = 1; seq <= 4; seq++) small.append({ seq, id: `x${seq}`, kind: 'created', countsOnly: false });
    expect(small.canAnswer(1, 4)).toBe(false);
    expect(small.canAnswer(2, 4)).toBe(true);
    expect(small.canAnswer(5, 4)).toBe(false);
  });
});

export function writeReport(out) { return '# placeholder\n```\n' + JSON.stringify(out, null, 1).slice(0, 5000) + '\n```\n'; }

import { executeApiOrigin, localizeUrls, sqsOrigin } from '#local/aws-urls';
import { selectRoute } from '#local/websocket';

describe('localizeUrls', () => {
  const origins = [
    { aws: executeApiOrigin('abc123', 'eu-central-1'), local: 'http://127.0.0.1:4101' },
    { aws: sqsOrigin('eu-central-1'), local: 'http://127.0.0.1:4140' },
  ];

  it.each([
    ['https://abc123.execute-api.eu-central-1.amazonaws.com/v1', 'http://127.0.0.1:4101/v1'],
    ['https://abc123.execute-api.eu-central-1.amazonaws.com', 'http://127.0.0.1:4101'],
    ['https://sqs.eu-central-1.amazonaws.com/000000000000/q', 'http://127.0.0.1:4140/000000000000/q'],
    ['["https://abc123.execute-api.eu-central-1.amazonaws.com/v1/x"]', '["http://127.0.0.1:4101/v1/x"]'],
  ])('maps %s to the local server', (value, expected) => {
    expect(localizeUrls(value, origins)).toBe(expected);
  });

  it.each([
    'https://abc1234.execute-api.eu-central-1.amazonaws.com/v1',
    'https://abc123.execute-api.us-east-1.amazonaws.com/v1',
    'https://sqs.eu-central-1.amazonaws.com.example/q',
    'arn:aws:sqs:eu-central-1:000000000000:q',
  ])('leaves %s alone', (value) => {
    expect(localizeUrls(value, origins)).toBe(value);
  });
});

describe('selectRoute ($request.body.<path>)', () => {
  it.each([
    ['$request.body.op', '{"op":"subscribe"}', 'subscribe'],
    ['$request.body.op', '{"op":7}', '7'],
    ['$request.body.meta.kind', '{"meta":{"kind":"x"}}', 'x'],
    ['$request.body.op', '{"op":{"nested":true}}', undefined],
    ['$request.body.op', '{"other":1}', undefined],
    ['$request.body.op', 'not json', undefined],
    ['$request.body.op', '["op"]', undefined],
    ['$request.header.op', '{"op":"subscribe"}', undefined],
  ])('%s on %s selects %s', (expression, body, expected) => {
    expect(selectRoute(expression, body)).toBe(expected);
  });
});

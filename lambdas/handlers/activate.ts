// PLACEHOLDER until the handler lands; answers 501 so nothing can mistake it for done.
export const handler = async () => ({ statusCode: 501, body: 'not implemented' });

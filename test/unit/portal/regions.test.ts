/** The way to the other region's portal: its URL from config.json, the same page, and the words; and a 421 read as such. */
import { describeProblem, problemOf } from '#portal/src/problem';
import { homedElsewhereText, isRegionKey, otherRegion, portalUrl } from '#portal/src/regions';

describe("the other region's portal", () => {
  const config = {
    region: 'eu-central-1',
    regionKey: 'eu' as const,
    portals: { eu: 'https://portal-eu.example', us: 'https://d222.cloudfront.net/' },
  };

  it("opens the same page in the other region's portal", () => {
    const url = portalUrl(config, otherRegion('eu'), '#/accounts/acc_123');

    expect(url).toBe('https://d222.cloudfront.net/#/accounts/acc_123');
  });

  it("opens the portal's start when the hash is no page, and offers nothing without a configured URL", () => {
    expect(portalUrl(config, 'eu', '#main')).toBe('https://portal-eu.example/');
    expect(portalUrl({ region: 'us-east-1', regionKey: 'us' }, 'eu', '#/ops')).toBeUndefined();
    expect(portalUrl(undefined, 'us')).toBeUndefined();
    expect(portalUrl({ region: 'x', portals: { us: 'javascript:alert(1)' } }, 'us')).toBeUndefined();
  });

  it('says where the account lives and which portal this is', () => {
    expect(homedElsewhereText('us', 'eu')).toBe('This account is homed in the US region, and this is the EU portal.');
    expect(homedElsewhereText('eu', undefined)).toBe('This account is homed in the EU region.');
    expect([isRegionKey('us'), isRegionKey('ap'), isRegionKey(undefined)]).toEqual([true, false, false]);
  });

  it("reads a 421 problem's region and words it for a person, not with the API's address", () => {
    const problem = problemOf(421, {
      type: 'https://ucx-cloud.example/problems/wrong-region',
      title: 'Account is served by another region',
      status: 421,
      detail: 'This account is homed in region us; use https://us.api.example.',
      region: 'us',
      endpoint: 'https://us.api.example',
    });

    expect(problem.region).toBe('us');
    expect(describeProblem(problem)).toEqual(['This account is homed in the US region.']);
    expect(describeProblem(problemOf(421, {}))).toEqual(['This account is homed in the other region.']);
  });

  it("reads a 421's homeRegion, which every licensing write's 421 carries, before its region", () => {
    const homeOnly = problemOf(421, { status: 421, homeRegion: 'eu', homeEndpoint: 'https://eu.api.example' });
    const both = problemOf(421, { status: 421, homeRegion: 'us', region: 'eu' });

    expect(homeOnly.region).toBe('eu');
    expect(describeProblem(homeOnly)).toEqual(['This account is homed in the EU region.']);
    expect(both.region).toBe('us');
  });
});

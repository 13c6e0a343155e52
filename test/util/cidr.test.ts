import { layoutSubnets, parseIpv4Cidr, subnetOf, formatIpv4Cidr } from '../../lib/util/cidr';

describe('subnet layout', () => {
  test('a /16 over three zones gives private /18s and public /20s that do not overlap', () => {
    expect(layoutSubnets('10.64.0.0/16', 3)).toEqual({
      private: ['10.64.0.0/18', '10.64.64.0/18', '10.64.128.0/18'],
      public: ['10.64.192.0/20', '10.64.208.0/20', '10.64.224.0/20'],
    });
  });

  test('two zones and six zones fit too', () => {
    expect(layoutSubnets('10.0.0.0/16', 2)).toEqual({
      private: ['10.0.0.0/18', '10.0.64.0/18'],
      public: ['10.0.192.0/19', '10.0.224.0/19'],
    });
    const six = layoutSubnets('172.16.0.0/20', 6);
    const all = [...six.private, ...six.public].map(parseIpv4Cidr);
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        const [a, b] = [all[i], all[j]];
        const overlap = a.base < b.base + 2 ** (32 - b.prefix) && b.base < a.base + 2 ** (32 - a.prefix);
        expect(overlap).toBe(false);
      }
    }
  });

  test('fails when the block is too small for the zones', () => {
    expect(() => layoutSubnets('10.0.0.0/26', 3)).toThrow('too small for 3 zones');
  });

  test('parses and formats, normalising host bits', () => {
    expect(formatIpv4Cidr(parseIpv4Cidr('10.1.2.3/16'))).toBe('10.1.0.0/16');
    expect(formatIpv4Cidr(subnetOf(parseIpv4Cidr('10.0.0.0/16'), 24, 255))).toBe('10.0.255.0/24');
    expect(() => subnetOf(parseIpv4Cidr('10.0.0.0/16'), 24, 256)).toThrow('cannot take block 256');
    expect(() => parseIpv4Cidr('10.0.0.300/16')).toThrow('not an IPv4 CIDR block');
  });
});

/**
 * Format 1's preset deflate dictionary for the stored rules state (support-state-codec.ts),
 * deflated: 2.8 KB of each bundle that reads the state instead of 14. Its text, what it is made of
 * and how it was built: test/support/state-dictionary-v1.ts (a test ties the two). Frozen with
 * format 1.
 */
import { inflateRawSync } from 'node:zlib';

const DEFLATED = [
  '7Rpdb9s48t2/IiDu4Q4QDUlxulu/tWkOu7jttne94goYxoGmxjYvMqWSlONs4v++GFKyZEmWrSZpFntJgkAkZ4bDmdFwPjQhQn7W',
  'QDzCWcq4MLfEIykoDtKQ6dmEGFAr4hHYpEKBfmOIRyJ2q3+BuVv/mkEGEfHICiLBpJ1T8DUDbfRHUO+FzAzsL69ZnOHUDJjRxCPL',
  'JFOaTAcTApLNYktNgQFpRCLfsVttsSKpP4Fag0IUnT/ZhSVPr3JEHJdEWBx/mM/t5EpoLeSCeCSTsEmBmxxaQZoo48C5EWtmFwYT',
  'ojNhGecZRwFwUEbMRY5VW4yFLughWyKRxCNC6wxqc9cyuXFCgEjg8Rw1w0ym99lBFmKmzXsmpAHJJIc3TuLNWY+wBewElSZCWrnq',
  'lMmfnGxxE/EbvL01oJ2ui8eFSm7M0o4+gnrHbnMF/zu5ZCnagqNmJdJOobAWb3fOnYQKkIgZNmO6HAt9XUdHJJ4oO4cGJBREl/k4',
  '007tEawFB8eNSQyLCyIFQjFuIJxNiIQb0OanxMzFBtUjtWFxDNEHWRegQGvgafaxwpqbLEzWmTCysT8/Vwnag0ncwVD6pYHbtymG',
  'FRh1WzVYVOhbYMZqUosYpCnVVtoOyOjD/FOWooHsvYUDMmcbqk3Gr8n4jszxn9mMHY9j38OBY3Ac2IEWkrsVVQVTVTBVgm23A8Iz',
  'pQRVzMBui3SZSKBxwq/HeEBLojKns1V9iieZNJY6T6Rh3NAVk2wBqiRQXyio1OcLUoMq/RsAKwFNxhPfC/Z/px5Z2/na73TbpP4N',
  'hKbbrUciMp5MGhx5BC0295TdtE9l2ju8e3Ubu/N0Oyjtjjr7us+tn1kfNJ6ckThZLIRc0GQ+by5GUlN0nzE01xJNQUY0mVPtbLMO',
  'MiD6a3wE5sz5C5pkJkIP3FxHT0t5skpZC/JcKLhhcWy5T7NZLHjLvLLe3XIUzeg8i2MDG3P/+fLLf9GfupPO6Kr0rTRZg4oyaMDA',
  'JlWgNeUsbaw5j0rniQLOdI0+ZwqovUyFXNwP7sjMmre1iJQZvqRs0RDyJPR871QH5k2suYTehPzj7YU/GoU/BsQjoR9e0MCn/mvi',
  '+VP88Q6ILd+teY2WlOcs1uAZlUFOiceZNqDoSugVnqJxgsDSbL+Fc7qBN5mQz5df6K8f3l3RAOdJxjdUJhHQ1+dc4FyxH14MNJMR',
  'esffmvaS73fyfWJZCPBoxQs1xccQmdqbeYHpB/PK9/06nNVgptnCvV80Fhwkh3uOpqiAJypCI0G3l+uxK0YtrafCRnPs742DB8KH',
  'vem1jJFI2AehPg4Or/dhcFp5atOLWKueyvA7eQ8b608LHzzz+jF+++iCGQMyYtJQnkidxFA6u6N6eepztxt5X6P2H8eovW/wCl2K',
  'sgpJVcLx2l8yGcVAY2DXeL0P3xRauXRKGWKmKjgMYVNRUI9UoebUvDYmVrBK1G3JxM9rNbySCyGLbXdv7MM3LqRxZ2lhxJJnCmGR',
  'C439bSnE0oQPSexfhZuviep78BycyHNdwEe0/EcSt1kqYFGFdR79gbltCLrB7STwXCTRl1+H1fombbeDO2KDRQdgY1u3XDibw/nW',
  '1CNLMiZY2LKhe9PM8xzvjuhxl8FP/Pxklf+lqKb4l1NokUoDpwr/H5h1wAUl3SPOy6JUERqOpgAJMZd25QfF+DVE+CjZCjDXJUf3',
  '8shhQbm12s5usi4XN1ucHs1MRLqaRCOXOpv9D7ixCkqfkbstJu4t70HNelp032oxUwwoT1Vsi1WEp5pPBfCwZedW4Z9gOf6L6TzI',
  'dCoOv246x17vpv+pe6F9v3JQ353eqK/3OmgqQZuF5msvVvQwK+JpRnWmDRPSyc7KssGq/hpjA0ZVd3kmzrVbp9okaVrhmWUmWTFj',
  'C1qdDB5ijnjk/adP//zlL58vv6AOG0KorFpO6iWpHSuuCIVhkSs74VNReMLiOvbGrN9vwa00OboIYD+FzpPEpEpgWTzHLtssiFLp',
  'yFgKeU/GnqhSo3TVZCS65Cl1jbbDpnBllqAkGL+QQlmmrSBhs2xsS5DDcBgUfbMxCcLhxTAYBj+89n36akTstnvV1ZLIjpGiczYm',
  'Vw7u7MrNnP311YjOhPlbpRU1JsGroT8cBecXQ6TvNqiVaHceM5qNK5JoepUHbO0RlWTShcf26Y1xWgGQlU39nMOWIvROFL0IFWXu',
  'b8BmPKK2m0B1phbl/nmHYdezycdFqyYf5h0aS2mv6n3YmJrFDUTdKwp6BKtRaGvbY1VzjOiDE2rTgb11TqtHOoon1mVcShF0F9Uc',
  'wKFM6HCaXMesZ3zl5VjC1pzlfenCnBRQU1YxS6ainyPqV37ImIzOLwi+CZj4bMh2gK2uQvhlP8KJFdMnW8BvnLxFp0EHLMrJAkwP',
  'ZmsvuVh7LvaSWeSZxUuc3IyT/4wRy6MEHy+xwfeMDQrpnXL9PqgZ2NVse/Ju3nN2pPp0knIqTyHj79/7OdzbOa3h2cvcwidtU1XH',
  '537eUu/Vu3qJlp8pWmZ5aMrW6O+aMWwRxbZFsv/vF/TF0McLOsALOjzvuKC/6QJG6qPzH/pewMfTi+ORZCVe3B91xoF7GCdFmjv4',
  'KvTf2eYkuI7I8rTUooutoslWD/lbNt0/ddhHROGpp+6R2zx+XtEi+34abRXa7mhH5NVMQttEVc0b/nTlqa7Pp8NH+Hzae9TPp/3H',
  '+3zaf/Qy2rEPM4PaRdzzS5pj93jTdI/f/Sds2R12tHx4U6Ac/lT4GNG2LzYeL/6pi73jCH0+KTm2zWH1HAmmgtEoaAmnfgc=',
].join('');

export const STATE_DICTIONARY_V1: Buffer = inflateRawSync(Buffer.from(DEFLATED, 'base64'));
